"""Settings for careteam, read from the environment.

With nothing set the project runs on its embedded default: SQLite, and
Celery on kombu's SQLAlchemy transport over a second SQLite file, under
``var/``, console email, DEBUG on and a generated development secret. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DEBUG=0``.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("CARETEAM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", True)


def _development_secret() -> str:
    """A per-checkout secret kept under var/, so sessions survive restarts in development."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A generated key per machine would silently split sessions and CSRF across web processes.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The address in links sent outside the app (partner emails, safety-plan links). Unset, it follows the
# port ``make run`` serves on (CARETEAM_PORT, as Procfile.dev's runserver does).
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{envint('CARETEAM_PORT', 8000)}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "django_htmx",
    "phonenumber_field",
    "careteam",
    "clients",
    "plans",
    "peers",
    "referrals",
    "outreach",
    "crisis",
    "dashboards",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "careteam.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Client data is never cached: every response from here in says no-store, signed links and API included.
    "careteam.middleware.NoStoreMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "careteam.signin.middleware.SessionTimeoutMiddleware",
    "careteam.signin.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "careteam.middleware.AuditContextMiddleware",
    # Inside the audit context (address, path): a signed-in user's refused request leaves a "denied" row.
    "careteam.middleware.DeniedAccessAuditMiddleware",
    # Last, so it sees the lockout flag the authentication backend set on the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspace.context_processors.navigation",
                "careteam.context_processors.minimum_necessary",
                "careteam.signin.context.session_clock",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'careteam.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so the web
    # process, the worker and beat never deadlock on lock upgrades, and the
    # audit chain reads its previous hash under the same lock it writes with.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the API throttles' and allauth's counters: shared through Redis when CACHE_URL is
# set (production: every web process must count the same requests), per process otherwise.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTH_USER_MODEL = "careteam.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses before the password is even checked while a lockout is in force.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "careteam.signin.passwords.LowEntropyPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in (README "Security"). django-allauth runs the login, password and MFA pages; there is no
# self-service sign-up: administrators create staff accounts.
ACCOUNT_ADAPTER = "careteam.signin.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the other sessions end (their auth hash changes); this one stays
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# django-axes counts failed sign-ins (below); allauth's own login limits would be a second,
# differently-worded lock on the same form. The same "login_failed" limit is allauth's only limit on
# second-factor codes, so the code form below reports wrong codes to axes instead.
ACCOUNT_RATE_LIMITS = {"login_failed": False, "login": False}
MFA_ADAPTER = "careteam.signin.adapters.MFAAdapter"
MFA_FORMS = {"authenticate": "careteam.signin.forms.AuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "careteam"
MFA_ALLOW_UNVERIFIED_EMAIL = True  # staff emails are set by administrators, not verified by mail
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # passkeys on http://127.0.0.1 in development only
# Every staff account must enrol a second factor before it sees anything (make run relaxes this for
# the demo logins with CARETEAM_MFA_REQUIRED=0).
CARETEAM_MFA_REQUIRED = envbool("CARETEAM_MFA_REQUIRED", True)
# Fernet keys that encrypt MFA secrets at rest, comma-separated: the first encrypts, all decrypt (so
# a key can be rotated). Unset, one is derived from SECRET_KEY; set it before you rotate SECRET_KEY.
MFA_ENCRYPTION_KEYS = envlist("MFA_ENCRYPTION_KEYS")

# Sessions: signed out after CARETEAM_SESSION_IDLE_TIMEOUT seconds without activity (a warning with
# "Stay signed in" shows two minutes before) and after CARETEAM_SESSION_ABSOLUTE_TIMEOUT whatever happens.
CARETEAM_SESSION_IDLE_TIMEOUT = envint("CARETEAM_SESSION_IDLE_TIMEOUT", 15 * 60)
CARETEAM_SESSION_ABSOLUTE_TIMEOUT = envint("CARETEAM_SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
CARETEAM_SESSION_WARNING = 120

# Failed sign-ins (django-axes, OWASP ASVS 5.0 V6.3): after AXES_FAILURE_LIMIT failures for one
# username, or from one address, sign-in is refused for AXES_COOLOFF_TIME. The lock always lifts on
# its own (never permanent, and further failures during it do not extend it), so an attacker can
# delay a real user but never shut them out; an administrator can unlock at once.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "careteam.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "careteam.signin.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # locked sign-ins are listed and lifted (audited) at /accounts/locked/

# API tokens (django-rest-knox): stored as SHA-512 digests, expire, listed and revocable per user.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=envint("API_TOKEN_TTL_HOURS", 12)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTH_HEADER_PREFIX": "Token",
}
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "US")
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "careteam@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: kombu's SQLAlchemy transport on a SQLite file under var/ unless CELERY_BROKER_URL is set.
# Not the filesystem transport: its reader can take a message file before the writer has filled it,
# and the worker dies on the half-written JSON (kombu issue #1551). SQLite gives every put and get a
# transaction (the transport takes BEGIN IMMEDIATE to get). Delivered rows stay behind with
# visible=0; careteam.tasks.prune_embedded_broker clears them daily.
CELERY_BROKER_FILE = VAR_DIR / "celery" / "broker.sqlite3"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{CELERY_BROKER_FILE}"
EMBEDDED_BROKER = CELERY_BROKER_URL.startswith("sqla+sqlite:")  # careteam.embedded_broker.is_embedded
if EMBEDDED_BROKER:
    CELERY_BROKER_FILE.parent.mkdir(parents=True, exist_ok=True)
    # Passed to SQLAlchemy's create_engine: wait for a writer rather than fail with "database is locked".
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "careteam.tasks.record_heartbeat", "schedule": 60.0},
}
if EMBEDDED_BROKER:
    CELERY_BEAT_SCHEDULE["embedded-broker-prune"] = {
        "task": "careteam.tasks.prune_embedded_broker",
        "schedule": 24 * 3600.0,
    }

REST_FRAMEWORK = {
    # Token first, so an unauthenticated API call answers 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "careteam.signin.authentication.MFATokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per caller: a person at a screen makes well under one request a second.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "30/min"),
        "user": os.environ.get("API_THROTTLE_USER", "600/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "careteam.api.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "careteam API",
    "DESCRIPTION": "Care coordination for behavioral-health and recovery programs. "
    "Every endpoint is scoped to the clients the caller's care team may see.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and field: signed-in callers only (session or API token), in
    # every environment. The Swagger page also needs a login (config/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI is served from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Security. Production (DEBUG off) passes `manage.py check --deploy`.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = CARETEAM_SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Permissions-Policy (careteam.middleware.PermissionsPolicyMiddleware): browser features no page uses
# are off for every frame; passkeys (WebAuthn) stay on for our own origin only.
PERMISSIONS_POLICY = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "bluetooth",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

# Behind a load balancer, how many proxies append to X-Forwarded-For; the
# audit trail records the address the outermost trusted proxy saw.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (4xx) is one line; a server error (5xx) keeps its traceback.
    "filters": {"refusal_without_traceback": {"()": "config.log_filters.RefusalWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusal_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Named so Django's own console handler (DEBUG only) comes off: with it every record of
        # "django.*" was printed twice, once by it and once by the root handler it propagates to.
        "django": {"level": "INFO"},
        # On the logger too, so every handler (and pytest's caplog) gets the record as the console does.
        "django.request": {"filters": ["refusal_without_traceback"]},
        "django.db.backends": {"level": "INFO"},
        # axes logs every sign-in at INFO; the audit trail already records them.
        "axes": {"level": "WARNING"},
    },
}

# careteam's own knobs.
CARETEAM_CASELOAD_PAGE_SIZE = 25
# Treatment plans are reviewed this many days after activation unless a date is set.
CARETEAM_PLAN_REVIEW_DAYS = envint("CARETEAM_PLAN_REVIEW_DAYS", 90)
# A peer's client turns red on "My people" after this many days without contact.
CARETEAM_PEER_CONTACT_THRESHOLD_DAYS = envint("CARETEAM_PEER_CONTACT_THRESHOLD_DAYS", 7)
# Break the glass: an emergency access to a client outside one's care team lasts this many hours.
CARETEAM_EMERGENCY_ACCESS_HOURS = envint("CARETEAM_EMERGENCY_ACCESS_HOURS", 4)
# Demo logins only; seed_demo refuses to run in production.
CARETEAM_DEMO_PASSWORD = "careteam-demo"  # noqa: S105

# --- Audit trail anchor (careteam/audit.py, docs/audit.md): what the database owner cannot rewrite. ---
# The HMAC-SHA-256 key of every audit row's row_mac and of every checkpoint's signature. It must live
# outside the database (secret store / environment) and must never change while the trail lives: rows
# written under another key no longer verify. Unset, one is derived from SECRET_KEY (HKDF, its own
# label), which is outside the database too but changes when SECRET_KEY is rotated: production sets its own.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
# Where signed checkpoints (last id, last hash, row count, time) go: "file" appends JSON lines to
# AUDIT_CHECKPOINT_FILE; "syslog" logs each line at INFO to the logger "careteam.audit.checkpoint" for
# the log shipper (production: off the database host, to storage the app's database role cannot reach).
AUDIT_CHECKPOINT_SINK = os.environ.get("AUDIT_CHECKPOINT_SINK", "file")
AUDIT_CHECKPOINT_FILE = Path(os.environ.get("AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl"))
CELERY_BEAT_SCHEDULE["audit-checkpoint"] = {
    "task": "careteam.tasks.write_audit_checkpoint",
    "schedule": 300.0,
}
# Audit rows are written unsealed (no lock for requests to queue on) and chained by this, in order.
# Until sealed, nothing vouches for a row: this is the window (seconds) a rewrite could go unseen.
AUDIT_SEAL_SECONDS = envint("AUDIT_SEAL_SECONDS", 10)
CELERY_BEAT_SCHEDULE["audit-seal"] = {
    "task": "careteam.tasks.seal_audit_trail",
    "schedule": float(AUDIT_SEAL_SECONDS),
}

# --- Outreach (outreach/): the outbox dispatcher, delivery backends and send-time rules. ---
# Twilio is used for SMS when its credentials are set; otherwise texts go to the console backend.
OUTREACH_TWILIO_ACCOUNT_SID = os.environ.get("OUTREACH_TWILIO_ACCOUNT_SID", "")
OUTREACH_TWILIO_AUTH_TOKEN = os.environ.get("OUTREACH_TWILIO_AUTH_TOKEN", "")
OUTREACH_TWILIO_FROM_NUMBER = os.environ.get("OUTREACH_TWILIO_FROM_NUMBER", "")
OUTREACH_TWILIO_STATUS_CALLBACK = envbool("OUTREACH_TWILIO_STATUS_CALLBACK", False)
# The public base URL Twilio calls (signatures are computed over it; behind a proxy it differs from
# what Django sees).
OUTREACH_PUBLIC_BASE_URL = os.environ.get("OUTREACH_PUBLIC_BASE_URL", SITE_URL).rstrip("/")
OUTREACH_BACKENDS = {
    "sms": os.environ.get(
        "OUTREACH_SMS_BACKEND",
        "outreach.backends.twilio_sms.TwilioSmsBackend"
        if OUTREACH_TWILIO_ACCOUNT_SID
        else "outreach.backends.console.ConsoleBackend",
    ),
    "email": os.environ.get(
        "OUTREACH_EMAIL_BACKEND",
        "outreach.backends.email.EmailBackend" if EMAIL_HOST else "outreach.backends.console.ConsoleBackend",
    ),
}
OUTREACH_PROGRAM_NAME = os.environ.get("OUTREACH_PROGRAM_NAME", "your care team")
OUTREACH_MAX_ATTEMPTS = envint("OUTREACH_MAX_ATTEMPTS", 5)
# Retry n waits OUTREACH_RETRY_BACKOFF_SECONDS * 2**(n-1), capped at OUTREACH_RETRY_BACKOFF_MAX_SECONDS.
OUTREACH_RETRY_BACKOFF_SECONDS = envint("OUTREACH_RETRY_BACKOFF_SECONDS", 60)
OUTREACH_RETRY_BACKOFF_MAX_SECONDS = envint("OUTREACH_RETRY_BACKOFF_MAX_SECONDS", 3600)
# A row left in "sending" longer than this (a worker died mid-send) goes back to pending.
OUTREACH_LEASE_SECONDS = envint("OUTREACH_LEASE_SECONDS", 300)
# A row queued by a tick but never picked up (broker lost the task) is queued again after this.
OUTREACH_QUEUE_LEASE_SECONDS = envint("OUTREACH_QUEUE_LEASE_SECONDS", 600)
OUTREACH_BATCH_SIZE = envint("OUTREACH_BATCH_SIZE", 500)
OUTREACH_MAX_BATCHES_PER_TICK = envint("OUTREACH_MAX_BATCHES_PER_TICK", 40)
# Messages per send task: one broker round trip per chunk; each row is still claimed on its own.
OUTREACH_SEND_CHUNK = envint("OUTREACH_SEND_CHUNK", 25)
# Replies containing any of these (case-insensitive, whole words or phrases) go to the top of the worklist.
OUTREACH_RISK_WORDS = envlist(
    "OUTREACH_RISK_WORDS",
    "suicide,suicidal,kill myself,end my life,end it all,want to die,overdose,hurt myself,no reason to live,"
    "better off dead",
)
# Hours before an appointment that a reminder goes, per channel.
OUTREACH_APPOINTMENT_REMINDER_HOURS = {"sms": [24, 2], "email": [24], "voice": [24]}
OUTREACH_REMINDER_HORIZON_DAYS = envint("OUTREACH_REMINDER_HORIZON_DAYS", 7)
CELERY_BEAT_SCHEDULE["outreach-dispatch"] = {"task": "outreach.tasks.dispatch_tick", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["outreach-appointment-reminders"] = {
    "task": "outreach.tasks.schedule_appointment_reminders",
    "schedule": 900.0,
}
CELERY_BEAT_SCHEDULE["outreach-client-reminders"] = {
    "task": "outreach.tasks.expand_client_reminders",
    "schedule": 3600.0,
}
# The API schema names the outbox's channel enum (other apps have "channel" fields with other choices).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["OutreachChannelEnum"] = "outreach.models.Channel"

# --- Resource directory (referrals.directory) ---
# `{% load directory %}`: filters for service cards (hours, open now, addresses); the module is not an app.
TEMPLATES[0]["OPTIONS"].setdefault("libraries", {})["directory"] = "referrals.directory.card_tags"

# --- Closed-loop referrals (referrals) ---
# How long a partner has to answer a requested referral, per urgency: {"business_days": n} (weekends
# and CARETEAM_HOLIDAYS_COUNTRY's public holidays skipped) or {"hours": n}.
CARETEAM_REFERRAL_RESPONSE_DEADLINES = {
    "routine": {"business_days": envint("CARETEAM_REFERRAL_ROUTINE_BUSINESS_DAYS", 2)},
    "urgent": {"hours": envint("CARETEAM_REFERRAL_URGENT_HOURS", 4)},
}
CARETEAM_HOLIDAYS_COUNTRY = os.environ.get("CARETEAM_HOLIDAYS_COUNTRY", "US")
# Days after the appointment at the partner before "check the outcome with the client" is raised.
CARETEAM_REFERRAL_OUTCOME_GRACE_DAYS = envint("CARETEAM_REFERRAL_OUTCOME_GRACE_DAYS", 2)
# An open referral with no activity for this many days is flagged.
CARETEAM_REFERRAL_STALE_DAYS = envint("CARETEAM_REFERRAL_STALE_DAYS", 14)
# Partner response links (django.core.signing) stop working after this many days.
CARETEAM_PARTNER_LINK_DAYS = envint("CARETEAM_PARTNER_LINK_DAYS", 14)
CARETEAM_REFERRAL_WORKLIST_PAGE_SIZE = 25
CELERY_BEAT_SCHEDULE["referral-deadlines"] = {"task": "referrals.tasks.check_deadlines", "schedule": 300.0}

# --- Crisis (crisis/): follow-up checkpoint standards, safety-plan links, the checkpoint sweep. ---
# Checkpoints a disposition starts ("hours" after the disposition/discharge; both edges count). "contact"
# is met by a reached logged contact or an attended appointment, "visit" only by an attended outpatient
# appointment. After an ED or inpatient disposition the HEDIS FUH/FUA 7- and 30-day visits are added.
# A task is raised from "remind_hours_before_end" before the window ends (else as soon as it opens).
CARETEAM_CRISIS_CHECKPOINTS = {
    "all": [
        {"kind": "contact-24h", "label": "Contact within 24 hours", "meets": "contact", "hours": 24},
        {"kind": "contact-72h", "label": "Contact within 72 hours", "meets": "contact", "hours": 72},
        {
            "kind": "outpatient-7d",
            "label": "Outpatient appointment within 7 days",
            "meets": "visit",
            "hours": 7 * 24,
            "remind_hours_before_end": 5 * 24,
        },
    ],
    "after_hospital": [
        {
            "kind": "fuh-7d",
            "label": "Follow-up visit within 7 days of discharge (HEDIS FUH/FUA)",
            "meets": "visit",
            "hours": 7 * 24,
            "remind_hours_before_end": 5 * 24,
        },
        {
            "kind": "fuh-30d",
            "label": "Follow-up visit within 30 days of discharge (HEDIS FUH/FUA)",
            "meets": "visit",
            "hours": 30 * 24,
            "remind_hours_before_end": 7 * 24,
        },
    ],
    "hospital_dispositions": ["ed", "inpatient"],
}
# The client's safety-plan link (django.core.signing) stops working after this many hours.
CARETEAM_SAFETY_PLAN_LINK_HOURS = envint("CARETEAM_SAFETY_PLAN_LINK_HOURS", 72)
CELERY_BEAT_SCHEDULE["crisis-checkpoints"] = {"task": "crisis.tasks.check_checkpoints", "schedule": 300.0}
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "CrisisEpisodeSourceEnum": "crisis.models.EpisodeSource",
        "CaringContactChannelEnum": "crisis.api.CARING_CONTACT_CHANNELS",
        # The episode's "source" otherwise gives group attendance's "source" a hashed name.
        "AttendanceSourceEnum": "peers.models.AttendanceSource",
    }
)
# One schema name for the referral status and information-category choice sets (drf-spectacular).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "InformationCategoryEnum": "clients.models.InformationCategory",
    }
)
# --- Record: needs, consents, contacts (clients/needs, clients/consents, clients/contacts) ---
CARETEAM_CONTACT_LOG_PAGE_SIZE = envint("CARETEAM_CONTACT_LOG_PAGE_SIZE", 25)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "NeedStatusEnum": "clients.models.NeedStatus",
        "ClientContactModeEnum": "clients.models.ContactMode",
        # A second "mode" choice set (logged contacts) otherwise gives the peers' one a hashed name.
        "PeerContactModeEnum": "peers.models.ContactMode",
    }
)
# --- Medications and allergies (clients/medications, clients/allergies): schema names of their choice sets
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "MedicationStatusEnum": "clients.models.MedicationStatus",
        "AllergyStatusEnum": "clients.models.AllergyStatus",
        "AllergyCategoryEnum": "clients.models.AllergyCategory",
        # Beside the allergy choice sets, need categories and diagnosis statuses would get hashed names.
        "NeedCategoryEnum": "clients.models.NeedCategory",
        "DiagnosisStatusEnum": "clients.models.DiagnosisStatus",
    }
)
# --- Dashboards (dashboards/): caseload targets per care-team role (CareTeamAssignment.role) ---
# The number of active clients one staff member in that role is expected to carry; the caseload panel
# shows each person's count against it. Roles not listed have no target.
CARETEAM_CASELOAD_TARGETS = {
    "primary_counselor": 35,
    "case_manager": 40,
    "peer": 20,
    "prescriber": 150,
    "crisis": 15,
}
# --- Performance (docs/performance.md): PostgreSQL's JIT off for the web's connections ---
# The dashboard's queries are many small correlated subqueries whose *estimated* cost is far above
# jit_above_cost, so PostgreSQL spent 2-4 s compiling each one to run 0.2-0.5 s of work (measured at
# 100k clients). Set DB_JIT=1 to give the decision back to the server.
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and not envbool(
    "DB_JIT", False
):
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
