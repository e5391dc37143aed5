# careteam production image: gunicorn for web; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CARETEAM_VAR_DIR=/app/var

WORKDIR /app
RUN groupadd --system careteam && useradd --system --gid careteam --home /app careteam

COPY pyproject.toml README.md ./
COPY config config
COPY careteam careteam
COPY clients clients
COPY plans plans
COPY peers peers
COPY referrals referrals
COPY outreach outreach
COPY crisis crisis
COPY dashboards dashboards
COPY workspace workspace
RUN pip install --upgrade pip && pip install .

COPY . .
# Static files are collected at build time and served by WhiteNoise (no CDN, works on offline networks).
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R careteam:careteam /app/var

USER careteam
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
