# ruff: noqa: E501 -- message wording reads best unbroken
"""The wording shipped for every message the outbox sends, in English and Spanish.

Loaded by data migrations (``0004_shipped_templates``, and ``0006`` for the partner email added
later: a database migrated before it gets that row too); admins edit the rows afterwards.
Bodies are Django templates rendered with ``client_name``, ``signer_name``, ``program_name`` and
the message's context (``*_at`` keys arrive as datetimes in the client's time zone). Texts are
short, warm and never demand an answer (caring contacts after Motto & Bostrom 2001: no reply needed).
"""

from __future__ import annotations

SIGNATURE_EN = "— {{ signer_name|default:'Your care team' }}, {{ program_name }}"
SIGNATURE_ES = "— {{ signer_name|default:'Su equipo de atención' }}, {{ program_name }}"

EN_WHEN = '{{ starts_at|date:"l, F j" }} at {{ starts_at|time:"g:i A" }}'
ES_WHEN = '{{ starts_at|date:"l j \\d\\e F" }} a las {{ starts_at|time:"H:i" }}'

# The email that gives a partner organisation its link to answer a referral (loaded by 0006 too).
PARTNER_TEMPLATE_KEY = "referral-partner-link"

# (key, essential, description, {language: {channel: (subject, body)}})
SHIPPED: list[tuple[str, bool, str, dict[str, dict[str, tuple[str, str]]]]] = [
    (
        "appointment-reminder",
        False,
        "Reminder before an appointment with the program (24 h, and 2 h for texts).",
        {
            "en": {
                "sms": (
                    "",
                    f"Hi {{{{ client_name }}}}, a reminder of your appointment {EN_WHEN}"
                    "{% if location %} at {{ location }}{% endif %}. Reply if you need to change it.",
                ),
                "email": (
                    "Your appointment on {{ starts_at|date:'F j' }}",
                    f"Hi {{{{ client_name }}}},\n\nThis is a reminder of your appointment {EN_WHEN}"
                    "{% if location %} at {{ location }}{% endif %}.\n\nIf you need to change it, "
                    "just let us know.\n\n{{ program_name }}",
                ),
            },
            "es": {
                "sms": (
                    "",
                    f"Hola {{{{ client_name }}}}, le recordamos su cita el {ES_WHEN}"
                    "{% if location %} en {{ location }}{% endif %}. Responda si necesita cambiarla.",
                ),
                "email": (
                    "Su cita del {{ starts_at|date:'j \\d\\e F' }}",
                    f"Hola {{{{ client_name }}}}:\n\nLe recordamos su cita el {ES_WHEN}"
                    "{% if location %} en {{ location }}{% endif %}.\n\nSi necesita cambiarla, "
                    "avísenos.\n\n{{ program_name }}",
                ),
            },
        },
    ),
    (
        "caring-contact-1",
        False,
        "Caring contact (first wording of the rotation).",
        {
            "en": {
                "sms": (
                    "",
                    f"Hi {{{{ client_name }}}}, just thinking of you and hoping you're okay. {SIGNATURE_EN}",
                ),
                "email": (
                    "Thinking of you",
                    f"Hi {{{{ client_name }}}},\n\nJust thinking of you and hoping things are okay. "
                    f"No need to reply.\n\n{SIGNATURE_EN}",
                ),
            },
            "es": {
                "sms": (
                    "",
                    f"Hola {{{{ client_name }}}}, pensando en usted y deseando que esté bien. {SIGNATURE_ES}",
                ),
                "email": (
                    "Pensando en usted",
                    f"Hola {{{{ client_name }}}}:\n\nSolo queríamos decirle que pensamos en usted. "
                    f"No hace falta responder.\n\n{SIGNATURE_ES}",
                ),
            },
        },
    ),
    (
        "caring-contact-2",
        False,
        "Caring contact (second wording of the rotation).",
        {
            "en": {
                "sms": ("", f"Hello {{{{ client_name }}}}, we're glad we got to know you. {SIGNATURE_EN}"),
                "email": (
                    "A quick hello",
                    f"Hello {{{{ client_name }}}},\n\nWe're glad we got to know you, and we're here "
                    f"whenever you want us.\n\n{SIGNATURE_EN}",
                ),
            },
            "es": {
                "sms": ("", f"Hola {{{{ client_name }}}}, nos alegra haberle conocido. {SIGNATURE_ES}"),
                "email": (
                    "Un saludo",
                    f"Hola {{{{ client_name }}}}:\n\nNos alegra haberle conocido y aquí seguimos "
                    f"cuando nos necesite.\n\n{SIGNATURE_ES}",
                ),
            },
        },
    ),
    (
        "caring-contact-3",
        False,
        "Caring contact (third wording of the rotation).",
        {
            "en": {
                "sms": ("", f"Hi {{{{ client_name }}}}, sending you good wishes today. {SIGNATURE_EN}"),
                "email": (
                    "Good wishes",
                    f"Hi {{{{ client_name }}}},\n\nSending you good wishes today. We're here if you "
                    f"ever want to talk.\n\n{SIGNATURE_EN}",
                ),
            },
            "es": {
                "sms": (
                    "",
                    f"Hola {{{{ client_name }}}}, le enviamos nuestros mejores deseos. {SIGNATURE_ES}",
                ),
                "email": (
                    "Mejores deseos",
                    f"Hola {{{{ client_name }}}}:\n\nLe enviamos nuestros mejores deseos. Aquí estamos "
                    f"si alguna vez quiere hablar.\n\n{SIGNATURE_ES}",
                ),
            },
        },
    ),
    (
        "caring-contact-birthday",
        False,
        "Caring contact on the client's birthday.",
        {
            "en": {
                "sms": ("", f"Happy birthday, {{{{ client_name }}}}! Wishing you a good day. {SIGNATURE_EN}"),
                "email": (
                    "Happy birthday",
                    f"Happy birthday, {{{{ client_name }}}}!\n\nWishing you a good day.\n\n{SIGNATURE_EN}",
                ),
            },
            "es": {
                "sms": (
                    "",
                    f"¡Feliz cumpleaños, {{{{ client_name }}}}! Que tenga un buen día. {SIGNATURE_ES}",
                ),
                "email": (
                    "Feliz cumpleaños",
                    f"¡Feliz cumpleaños, {{{{ client_name }}}}!\n\nLe deseamos un buen día.\n\n{SIGNATURE_ES}",
                ),
            },
        },
    ),
    (
        "safety-plan-link",
        True,
        "Link to the client's safety plan (essential).",
        {
            "en": {
                "sms": (
                    "",
                    "Hi {{ client_name }}, here is your safety plan: {{ url }} "
                    '(link works until {{ expires_at|date:"M j" }}). In crisis call or text 988.',
                ),
                "email": (
                    "Your safety plan",
                    "Hi {{ client_name }},\n\nHere is your safety plan: {{ url }}\nThe link works until "
                    '{{ expires_at|date:"F j, g:i A" }}.\n\nIn a crisis, call or text 988.\n\n{{ program_name }}',
                ),
            },
            "es": {
                "sms": (
                    "",
                    "Hola {{ client_name }}, aquí está su plan de seguridad: {{ url }} "
                    '(válido hasta el {{ expires_at|date:"j \\d\\e F" }}). En crisis llame o escriba al 988.',
                ),
                "email": (
                    "Su plan de seguridad",
                    "Hola {{ client_name }}:\n\nAquí está su plan de seguridad: {{ url }}\nEl enlace es "
                    'válido hasta el {{ expires_at|date:"j \\d\\e F, H:i" }}.\n\nEn una crisis, llame o '
                    "escriba al 988.\n\n{{ program_name }}",
                ),
            },
        },
    ),
    (
        "client-reminder",
        False,
        "A reminder the client asked for (medication, court date, group).",
        {
            "en": {
                "sms": ("", "Hi {{ client_name }}, your reminder: {{ label }}. — {{ program_name }}"),
                "email": (
                    "Reminder: {{ label }}",
                    "Hi {{ client_name }},\n\nYour reminder: {{ label }}.\n\n{{ program_name }}",
                ),
            },
            "es": {
                "sms": ("", "Hola {{ client_name }}, su recordatorio: {{ label }}. — {{ program_name }}"),
                "email": (
                    "Recordatorio: {{ label }}",
                    "Hola {{ client_name }}:\n\nSu recordatorio: {{ label }}.\n\n{{ program_name }}",
                ),
            },
        },
    ),
    (
        "referral-appointment-reminder",
        False,
        "Reminder of an appointment with a partner organisation after a referral.",
        {
            "en": {
                "sms": (
                    "",
                    f"Hi {{{{ client_name }}}}, a reminder: you're seeing {{{{ organization }}}} {EN_WHEN}.",
                ),
                "email": (
                    "Your appointment with {{ organization }}",
                    f"Hi {{{{ client_name }}}},\n\nA reminder that you're seeing {{{{ organization }}}} "
                    f"{EN_WHEN}.\n\n{{{{ program_name }}}}",
                ),
            },
            "es": {
                "sms": (
                    "",
                    f"Hola {{{{ client_name }}}}, le recordamos su cita con {{{{ organization }}}} el {ES_WHEN}.",
                ),
                "email": (
                    "Su cita con {{ organization }}",
                    f"Hola {{{{ client_name }}}}:\n\nLe recordamos su cita con {{{{ organization }}}} el "
                    f"{ES_WHEN}.\n\n{{{{ program_name }}}}",
                ),
            },
        },
    ),
    (
        "referral-follow-up",
        False,
        "Checking in after a referral to a partner organisation.",
        {
            "en": {
                "sms": (
                    "",
                    "Hi {{ client_name }}, how did it go with {{ organization }}? We're happy to help if you need anything.",
                ),
                "email": (
                    "How did it go with {{ organization }}?",
                    "Hi {{ client_name }},\n\nWe wanted to check how things went with {{ organization }}. "
                    "We're happy to help if you need anything.\n\n{{ program_name }}",
                ),
            },
            "es": {
                "sms": (
                    "",
                    "Hola {{ client_name }}, ¿cómo le fue con {{ organization }}? Con gusto le ayudamos si necesita algo.",
                ),
                "email": (
                    "¿Cómo le fue con {{ organization }}?",
                    "Hola {{ client_name }}:\n\nQueríamos saber cómo le fue con {{ organization }}. "
                    "Con gusto le ayudamos si necesita algo.\n\n{{ program_name }}",
                ),
            },
        },
    ),
    (
        # To the partner organisation, not the client: it names no client, only carries the signed
        # link (the link's page shows the minimum the referral needs). Email only.
        PARTNER_TEMPLATE_KEY,
        False,
        "To a partner organisation: the secure link to answer a referral (names no client).",
        {
            "en": {
                "email": (
                    "{% if resent %}Reminder: {% endif %}New referral to {{ service_name }}",
                    "{{ referring_program }} has referred a person to {{ service_name }} ({{ organization_name }}).\n\n"
                    "Please open this secure link to see the referral and answer it "
                    "(accept, decline, schedule, report the outcome):\n\n{{ link_url }}\n\n"
                    "The link works for {{ link_days }} days and only for this referral. Do not forward it.\n"
                    "Referring staff: {{ referred_by }}.",
                ),
            },
            "es": {
                "email": (
                    "{% if resent %}Recordatorio: {% endif %}Nueva derivación a {{ service_name }}",
                    "{{ referring_program }} ha derivado a una persona a {{ service_name }} ({{ organization_name }}).\n\n"
                    "Abra este enlace seguro para ver la derivación y responderla "
                    "(aceptar, rechazar, programar una cita, informar del resultado):\n\n{{ link_url }}\n\n"
                    "El enlace funciona durante {{ link_days }} días y solo para esta derivación. No lo reenvíe.\n"
                    "Personal que deriva: {{ referred_by }}.",
                ),
            },
        },
    ),
    (
        "sms-help",
        True,
        "Reply to HELP.",
        {
            "en": {
                "sms": (
                    "",
                    "{{ program_name }}: texts from your care team. Reply STOP to stop, START to restart. In crisis call or text 988.",
                )
            },
            "es": {
                "sms": (
                    "",
                    "{{ program_name }}: mensajes de su equipo de atención. Responda STOP para dejar de recibirlos, START para volver. En crisis llame o escriba al 988.",
                )
            },
        },
    ),
    (
        "sms-stop-confirmation",
        True,
        "Reply to STOP.",
        {
            "en": {
                "sms": (
                    "",
                    "{{ program_name }}: you won't get more texts from us. Reply START to get them again.",
                )
            },
            "es": {
                "sms": (
                    "",
                    "{{ program_name }}: no recibirá más mensajes. Responda START para volver a recibirlos.",
                )
            },
        },
    ),
    (
        "sms-start-confirmation",
        True,
        "Reply to START.",
        {
            "en": {
                "sms": (
                    "",
                    "{{ program_name }}: welcome back, texts from your care team are on again. Reply STOP to stop.",
                )
            },
            "es": {
                "sms": (
                    "",
                    "{{ program_name }}: bienvenido/a de nuevo, los mensajes están activados. Responda STOP para dejarlos.",
                )
            },
        },
    ),
    (
        "manual",
        False,
        "A message a staff member wrote on the Messages tab (sent as written).",
        {
            "en": {"sms": ("", "{{ text }}"), "email": ("A message from {{ program_name }}", "{{ text }}")},
            "es": {"sms": ("", "{{ text }}"), "email": ("Un mensaje de {{ program_name }}", "{{ text }}")},
        },
    ),
]


def shipped_rows() -> list[dict]:
    """One dict per (key, language, channel), ready for ``MessageTemplate(**row)``."""
    rows = []
    for key, essential, description, languages in SHIPPED:
        for language, channels in languages.items():
            for channel, (subject, body) in channels.items():
                rows.append(
                    {
                        "key": key,
                        "language": language,
                        "channel": channel,
                        "subject": subject,
                        "body": body,
                        "essential": essential,
                        "description": description,
                    }
                )
    return rows
