"""One settings module, read from the environment.

DJANGO_ENV=production demands every secret from the environment (no defaults) and turns on the
deploy hardening; anything else is the embedded default of `make run` and of the tests.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = os.environ.get("DJANGO_ENV") == "production"


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"环境变量 {name} 未设置 (required in production)")
    return value


if PRODUCTION:
    SECRET_KEY = _required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = _required("DJANGO_ALLOWED_HOSTS").split(",")
    DATABASE_URL = _required("DATABASE_URL")
    REDIS_URL = _required("REDIS_URL")
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production")
    ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "guardian",
    "axes",
    "csp",
    "django_celery_beat",
    "cadre",
    "nomination",
    "inspection",
    "voting",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cadre.middleware.NulQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cadre.middleware.SessionLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cadre.middleware.PermissionsPolicyMiddleware",
    # Last: turns a request that axes flagged as locked out into the 429 of cadre.auth.lockout_response.
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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in attempt (right password included) while the account or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "cadre.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# ---------------------------------------------------------------------------- sign-in limits, sessions, tokens
# ../shared/API.md: 5 failures for one account within 15 minutes lock it for at least 15 minutes, the
# right password included; per address, failures only, at least 50 an hour. Counted by django-axes
# in the database (shared by every worker process); an admin lifts a lock in 管理 → 访问尝试.
# A failure while locked restarts the 15 minutes (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
AXES_HANDLER = "cadre.auth.LoginAttemptHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))  # per account
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "50"))  # per address
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "cadre.auth.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ADMIN = False  # cadre/admin.py registers AccessAttempt in Chinese
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in our security log (cadre.models.SecurityEvent)
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token"]

# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script or
# handler (static/js/page.js carries what the templates' on*= attributes did). Inline <style> blocks
# and style attributes remain in some templates, so style-src still allows them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Django's CSRF failure view, rendering templates/403_csrf.html (Chinese, no debug information).
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"

# Sessions: an idle limit and an absolute limit since sign-in (cadre.middleware.SessionLimitMiddleware,
# which renews an active session at most once a minute instead of SESSION_SAVE_EVERY_REQUEST's
# write per request). Tokens of the API expire too (cadre.auth.ExpiringTokenAuthentication).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_RENEW_SECONDS = 60
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")) * 3600
API_TOKEN_SECONDS = int(os.environ.get("API_TOKEN_HOURS", "12")) * 3600
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a request without credentials a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cadre.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "cadre.pagination.IdFirstPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cadre.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "干部选任全程纪实 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation lists its error responses with their bodies (cadre/schema.py); the enum hook
    # stays first so that enums are named before the error components are added.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cadre.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "cadre.models.Stage",
        "ConsultationLevelEnum": "inspection.models.ConsultationLevel",
        "RecommendationKindEnum": "nomination.models.RecommendationMeeting.Kind",
        "BallotKindEnum": "voting.models.BallotSession.Kind",
        "BallotStatusEnum": "voting.models.BallotSession.Status",
        "ComplaintStatusEnum": "supervision.models.Complaint.Status",
        "ComplaintCategoryEnum": "supervision.models.Complaint.Category",
    },
}

# Celery: a real broker when REDIS_URL is set; otherwise tasks run in-process (embedded default).
# Work that must not be lost goes through the outbox (cadre.outbox, the Job table): the row commits
# with the caller's transaction and the message is only a wake-up call; a beat sweep re-sends it.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A request never waits for a dead broker: connect within 2 s (cadre.outbox.send also tries once,
# without publish retries); workers keep reconnecting on their own.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 10
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The schedule lives in the database (admin → 周期任务); beat loads the entries below into it at start.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # S1: recompute every record chain each night; the result is kept in RecordVerification.
    "record-verify-nightly": {"task": "cadre.tasks.record_verify", "schedule": crontab(hour=2, minute=30)},
    # S1: sign every chain's head at least daily (a signed checkpoint; also on demand).
    "record-checkpoint-daily": {"task": "cadre.tasks.record_checkpoint", "schedule": crontab(hour=2, minute=0)},
    # Outbox: re-send jobs still pending a minute after they were written (the broker was down).
    "jobs-sweep": {"task": "cadre.tasks.job_sweep", "schedule": 60.0},
    # P1/P2: close the publicity periods that ended (one job a day; hourly so a missed beat only delays it).
    "publicity-close-due": {"task": "supervision.tasks.publicity_close_due", "schedule": crontab(minute=5)},
    # R2, A2, C1: count the reminders (the dashboard computes them itself; this only notifies).
    "reminders-daily": {"task": "supervision.tasks.reminders_digest", "schedule": crontab(hour=7, minute=0)},
}

# S1: the Ed25519 key that signs record checkpoints lives outside the database: base64 of its
# 32-byte seed in RECORD_SIGNING_KEY, or a file named by RECORD_SIGNING_KEY_FILE
# (`python manage.py record_signing_key` makes one). Production refuses to start without one;
# elsewhere a development key is made in var/ on first use.
# 落款 of public notices: each organization department sets its own name.
PUBLICITY_ISSUER = os.environ.get("PUBLICITY_ISSUER", "")
APPOINTMENT_ISSUER = os.environ.get("APPOINTMENT_ISSUER", "")  # 任职通知 落款 (default 中共××县委)
RECORD_SIGNING_KEY = os.environ.get("RECORD_SIGNING_KEY", "")
RECORD_SIGNING_KEY_FILE = os.environ.get(
    "RECORD_SIGNING_KEY_FILE", "" if PRODUCTION else str(BASE_DIR / "var" / "record-signing.key")
)
if PRODUCTION and not (RECORD_SIGNING_KEY or RECORD_SIGNING_KEY_FILE):
    raise RuntimeError("环境变量 RECORD_SIGNING_KEY 或 RECORD_SIGNING_KEY_FILE 未设置 (required in production)")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
