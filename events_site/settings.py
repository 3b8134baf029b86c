"""Convene settings, read from the environment (12-factor).

Defaults suit the demo (DEBUG on, SQLite in the project, e-mail to the console, tasks in the
database). With DEBUG off every secret must come from the environment and the strict security
settings apply. A wrong setting stops start-up with one clear line instead of a traceback.
"""

import datetime as dt
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def _stop(message: str) -> None:
    """Stop start-up with a single readable line (no traceback)."""
    sys.stderr.write(f"Convene configuration error: {message}\n")
    raise SystemExit(2)


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLEANS.update({"0": False, "false": False, "no": False, "off": False})
_debug_value = env.str("DEBUG", default="1").strip().lower()
if _debug_value not in _BOOLEANS:
    _stop("DEBUG must be a boolean such as 1, 0, true or false.")
DEBUG = _BOOLEANS[_debug_value]

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        _stop("SECRET_KEY must be set when DEBUG is off (use a random string of 50+ characters).")
    SECRET_KEY = "convene-demo-only-insecure-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# Keys that seal secrets the application reads back (the PDF signing passphrase), newest
# first; empty: derived from SECRET_KEY and SECRET_KEY_FALLBACKS (registrations/sealed_secrets.py).
SEALED_SECRET_KEYS = env.list("SEALED_SECRET_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "csp",
    "axes",
    "django_ratelimit",
    # Second factor (events_site/accounts/two_factor.py): TOTP apps and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Convene: the core first, then the apps built on it, then the site's own demo app.
    "events_site.accounts",
    "events_site.congresses",
    "events_site.scheduler",
    "registrations",
    "sessions.apps.AgendaConfig",
    "badges",
    "events_site.demo",
    "events_site.integrity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before sessions and views: a NUL byte in the URL or a form never reaches the database.
    "events_site.congresses.middleware.RefuseNulMiddleware",
    "events_site.csp.ConveneCSPMiddleware",
    # A sign-out's answer wipes the browser's copy of the desk list (Clear-Site-Data).
    "events_site.congresses.sign_out.ClearSiteDataOnSignOutMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(): signed in with a second factor in this session.
    "django_otp.middleware.OTPMiddleware",
    # A superuser reaches nothing but the account pages before the second factor.
    "events_site.accounts.middleware.SuperuserTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sessions ended from another browser, and organisers' idle timeout (after messages: the
    # sign-in page tells why).
    "events_site.congresses.sign_in_history.SignedInSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Limits (docs/deployment.md, "Rate limits"): the request for limits below the views, a
    # RateLimited anywhere becomes the 429 page, and axes' sign-in lockout comes last.
    "events_site.congresses.rate_limits.CurrentRequestMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "events_site.urls"
WSGI_APPLICATION = "events_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{BASE_DIR / 'convene.sqlite3'}"
try:
    _db = env.db_url("DATABASE_URL", default=_default_db)
except Exception as exc:
    _stop(f"DATABASE_URL cannot be parsed ({exc}). Example: postgres://user@127.0.0.1:5432/convene")
_engine = _db.get("ENGINE", "")
if _engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    _stop(
        f"DATABASE_URL names an unsupported database ({_engine or 'unknown scheme'}); "
        "use sqlite:///path or postgres://..."
    )
if _engine == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE transactions make concurrent writers
    # queue on the busy timeout instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
_db.setdefault("TEST", {})
if env.str("TEST_DATABASE_NAME", default=""):
    _db["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://convene"),
}

# --- Background tasks (Django's Tasks API through the django-tasks backport) ---------------
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
_task_backends = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _task_backends:
    _stop(f"TASKS_BACKEND must be one of {', '.join(_task_backends)}, not {TASKS_BACKEND!r}.")
TASKS = {
    "default": {
        "BACKEND": _task_backends[TASKS_BACKEND],
        "QUEUES": ["default", "emails", "batch"],
    }
}
RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in ("default", "emails", "batch")
}
# Periodic jobs: `manage.py run_scheduler` enqueues each task on its schedule (once per slot,
# however many schedulers run); the task workers above run them. Each entry names a task that
# takes no arguments and one of "every" (a timedelta, slots counted from the epoch) or "cron"
# (five fields, in TIME_ZONE). A bad entry stops start-up naming it (docs/deployment.md).
PERIODIC_TASKS = {
    # Release lapsed seat holds and offer the seats to the waiting list.
    "expire_holds": {"task": "registrations.tasks.expire_holds", "every": dt.timedelta(minutes=1)},
    # Quotes past their validity, or whose held seats were released, end as expired.
    "expire_quotes": {
        "task": "registrations.payments.tasks.expire_quotes_task",
        "every": dt.timedelta(minutes=15),
    },
    # Settle card payments and refunds whose webhook was lost (the demo: every minute, since the
    # Stripe emulator sends no refund events).
    "reconcile_payments": {
        "task": "registrations.payments.tasks.reconcile_payments_task",
        "every": dt.timedelta(minutes=env.int("RECONCILE_PAYMENTS_MINUTES", default=10)),
    },
    # E-mail the payment reminder of each unpaid order past its congress's reminder delay.
    "send_payment_reminders": {
        "task": "registrations.tasks.remind_unpaid_orders",
        "cron": "0 * * * *",
    },
    # Dunning: reminders for overdue invoices, for the congresses whose payment settings switch
    # them on (each order at most once per its congress's interval, never twice in 24 hours).
    "send_invoice_reminders": {
        "task": "registrations.payments.tasks.send_scheduled_reminders_task",
        "cron": "15 * * * *",
    },
    # Badge print jobs left running by a dead worker (or past their time limit) marked failed.
    "fail_stale_print_jobs": {
        "task": "badges.tasks.fail_stale_print_jobs_task",
        "every": dt.timedelta(minutes=5),
    },
    # Bulk jobs left running by a dead worker queued again (their pending items only).
    "requeue_stale_bulk_jobs": {
        "task": "registrations.bulk.requeue_stale_bulk_jobs_task",
        "every": dt.timedelta(minutes=5),
    },
    # Retention jobs (security work) go here too, e.g. {"task": ..., "cron": "30 3 * * *"}.
    # Erase the personal data whose retention delay after its congress has passed.
    "apply_retention": {
        "task": "registrations.tasks.apply_retention_task",
        "cron": "30 3 * * *",
    },
    # Visa letter requests a rule now approves (the order was paid or invoiced since).
    "apply_visa_letter_rules": {
        "task": "registrations.tasks.apply_visa_letter_rules_task",
        "cron": "*/15 * * * *",
    },
}

# --- Personal data (docs/personal-data.md) -----------------------------------------------------
# What other apps hold about a delegate, without registrations importing them: each function
# returns (name, dict) for the export, or erases its app's data and returns counts.
PERSONAL_DATA_SECTIONS = ["sessions.personal_data.section", "badges.personal_data.section"]
PERSONAL_DATA_ERASERS = ["sessions.personal_data.erase", "badges.personal_data.erase"]
# the e-mail log the core's mail module writes every logged message to (empty: none kept)
EMAIL_LOG = "registrations.services.email_log"
# The agenda's room scanning reads a badge's QR code through this function (congress, code) ->
# delegate id, raising a DomainError for a code that opens nothing (the apps stay independent).
ATTENDANCE_BADGE_LOOKUP = "badges.services.delegate_id_for_code"
# The registration confirmation PDF prints each delegate's badge QR code and chosen sessions
# through these (delegate ids -> {id: code} / {id: [session rows]}); empty: left out.
CONFIRMATION_BADGE_CODES = "badges.services.badge_codes"
CONFIRMATION_SESSIONS = "sessions.confirmation.chosen_sessions"
# Certificates of attendance and of speaking read who checked in, how many sessions each
# delegate attended and the confirmed sessions they spoke at through these functions
# (congress, delegate ids or None) -> ... (registrations imports neither app; docs/documents.md).
CERTIFICATE_SOURCES = {
    "checked_in": "badges.certificates.checked_in",
    "sessions_attended": "sessions.certificates.sessions_attended",
    "sessions_spoken": "sessions.certificates.sessions_spoken",
}

# --- The back office dashboard (docs/architecture.md, "Dashboard panels") -------------------
# Each function returns its app's panels of figures and charts for a congress and the person's
# permissions; the core shows only the panels those permissions allow, in this order.
BACKOFFICE_PANELS = [
    "registrations.dashboard.panels",
    "registrations.payments.dashboard.panels",
    "sessions.dashboard.panels",
    "badges.dashboard.panels",
]

# --- Copying a congress's set-up (docs/architecture.md, "Copying a set-up") -------------------
# The apps' parts of a congress's set-up, in the order they are copied (a part that refers to
# another comes after it: badge layouts and questions after the registration types). Each is a
# ``events_site.congresses.setup_copy.SetupPart``; the core copies venues and rooms itself.
CONGRESS_SETUP_COPIERS = [
    "registrations.setup_copy.registration_types",
    "registrations.setup_copy.questions",
    "registrations.setup_copy.registration_settings",
    "registrations.setup_copy.billing_settings",
    "registrations.setup_copy.document_settings",
    "registrations.setup_copy.member_organisations",
    "sessions.setup_copy.tracks",
    "sessions.setup_copy.formats",
    "sessions.setup_copy.tags",
    "badges.setup_copy.badge_layouts",
]

# --- E-mail ---------------------------------------------------------------------------------
try:
    vars().update(
        env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
    )
except Exception as exc:
    _stop(f"EMAIL_URL cannot be parsed ({exc}). Example: smtp+tls://user:password@host:587")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Convene <congress@convene.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Stripe ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Point at a local emulator (localstripe) in the demo and tests; empty means Stripe itself.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
STRIPE_API_VERSION = "2024-06-20"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked account is refused before any password is checked.
    "events_site.congresses.sign_in.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "congresses:dashboard"
LOGOUT_REDIRECT_URL = "congresses:home"
# The agenda's say on a changed room (sessions now too big for it or outside its hours): the
# core's room pages show these warnings after a save, without importing the agenda.
ROOM_CHANGE_WARNINGS = env.str(
    "ROOM_CHANGE_WARNINGS", default="sessions.services.scheduling.room_change_warnings"
)
# How long a team invitation's link works.
TEAM_INVITATION_DAYS = env.int("TEAM_INVITATION_DAYS", default=7)
# Refunds, exports of personal data, team changes and token creation need a sign-in or a
# re-authentication at most this many seconds old (events_site/accounts/reauth.py).
REAUTH_MAX_AGE = env.int("REAUTH_MAX_AGE", default=15 * 60)
# A signed-in organiser or staff member is signed out after this many seconds without a
# request (within a minute); delegates have no account. Sessions end at SESSION_COOKIE_AGE.
ORGANISER_IDLE_TIMEOUT = env.int("ORGANISER_IDLE_TIMEOUT", default=30 * 60)
# Two-factor sign-in (docs/security.md): superusers must use a second factor everywhere (admin
# too). On by default when DEBUG is off; the demo (DEBUG on) leaves its `admin` without one.
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = env.bool(
    "TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", default=not DEBUG
)
# The function that counts wrong codes against RATE_LIMITS (the accounts app sits below the core
# and is handed it here rather than importing it).
TWO_FACTOR_RATE_LIMIT_CHECK = "events_site.congresses.rate_limits.check"
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Convene")

# --- Rate limits (docs/deployment.md, "Rate limits") ----------------------------------------
# Counted in the default cache (Redis in production); an unreachable cache lets requests
# through (fail open). Rates are "<count>/<s|m|h|d>", generous enough that no real person meets
# them; each can be set from the environment, e.g. RATE_LIMIT_SIGN_IN=50/h.
_rate_limit_defaults = {
    "sign_in": "60/h",  # sign-in posts per client address
    "password_reset": "20/h",  # reset requests per client address
    "password_reset_email": "5/h",  # reset requests per e-mail address
    "secret_lookup": "100/h",  # wrong order/delegate/agenda/offer secrets per client address
    "voucher": "60/h",  # wrong voucher codes per client address
    "checkin_search": "600/m",  # check-in lookups and searches per account
    "checkin_offline": "600/m",  # offline desk list pages, keys and syncs per account
    "api_token_failure": "30/h",  # API requests with a wrong token per client address
    "order_placement": "60/h",  # orders placed per client address
    "document_verification": "60/h",  # visa letter and certificate checks per client address
    "two_factor": "30/15m",  # wrong second-factor codes per client address
    "two_factor_account": "10/15m",  # wrong second-factor codes per account
    "public_api": "1200/m",  # calls of the public programme API per client address
}
RATE_LIMITS = {
    name: env.str(f"RATE_LIMIT_{name.upper()}", default=rate)
    for name, rate in _rate_limit_defaults.items()
}
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "events_site.congresses.rate_limits.too_many_requests"
RATELIMIT_FAIL_OPEN = True
# The header a trusted reverse proxy sets to the client's address (e.g. HTTP_X_FORWARDED_FOR);
# empty: REMOTE_ADDR. Never name a header no proxy of yours overwrites: clients can forge it.
CLIENT_ADDRESS_HEADER = env.str("CLIENT_ADDRESS_HEADER", default="")
# Sign-in lockout per account (django-axes, in the cache): after this many wrong passwords the
# account is refused for the cool-off, whatever the address, and its owner gets an e-mail.
AXES_HANDLER = "events_site.congresses.sign_in.SoftCacheHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "events_site.congresses.sign_in.lockout_response"
AXES_CLIENT_IP_CALLABLE = "events_site.congresses.rate_limits.client_address"
AXES_VERBOSE = False
# axes.W006: the per-address limit on sign-in is django-ratelimit's (RATE_LIMITS["sign_in"]).
# django-ratelimit warns that a local-memory cache is per process: true, and accepted for the
# demo and a single-process site (docs/deployment.md says to use Redis in production).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "axes.W006"]
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("de", _("German")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
]
# The languages the interface is offered in (the language menu): only those whose catalogue in
# locale/ is complete, which tests/core/test_catalogues.py checks. LANGUAGES above is wider: the
# languages a congress may name for its content and its delegates may prefer.
INTERFACE_LANGUAGES = ["en", "fr", "es", "pt", "de", "ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Files only staff pages hand out, after their permission check (delegates' photos for the
# check-in desk): never under MEDIA_URL, so no web server serves them to the public.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
# --- Uploads (events_site/congresses/uploads.py) ----------------------------------------------
# A request body other than files over this is refused before it is read (Django's 400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Uploaded files over this are streamed to a temporary file instead of held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Per kind, checked from the declared size before the body is read.
UPLOAD_MAX_IMAGE_BYTES = env.int("UPLOAD_MAX_IMAGE_BYTES", default=5 * 1024 * 1024)
UPLOAD_MAX_CSV_BYTES = env.int("UPLOAD_MAX_CSV_BYTES", default=5 * 1024 * 1024)
# A bank statement (CAMT.053, MT940 or CSV) finance imports (docs/payments.md).
UPLOAD_MAX_STATEMENT_BYTES = env.int("UPLOAD_MAX_STATEMENT_BYTES", default=5 * 1024 * 1024)
# An image declaring more pixels than this is refused before it is decoded.
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=40_000_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Convene API tokens (per congress and role), wrong tokens counted per address.
        "events_site.congresses.api_limits.LimitedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers plus the project's text rule (events_site/congresses/text.py).
    "DEFAULT_PARSER_CLASSES": [
        "events_site.congresses.api_parsers.JSONParser",
        "events_site.congresses.api_parsers.FormParser",
        "events_site.congresses.api_parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "events_site.congresses.api_fields.Pagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "events_site.congresses.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Convene API",
    "DESCRIPTION": "Congress and event management: congresses, registrations, agenda, check-in.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation also documents its refusals (400/401/403/404) with one Error schema.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "events_site.congresses.api_schema.document_error_responses",
    ],
    # Name shared choice sets once, so the schema has one enum per idea.
    "ENUM_NAME_OVERRIDES": {
        "CongressStatusEnum": "events_site.congresses.enums.CongressStatus",
        "TeamRoleEnum": "events_site.congresses.enums.Role",
        "OrderStatusEnum": "registrations.lifecycle.OrderStatus",
        "DelegateRoleEnum": "registrations.enums.DelegateRole",
        "OrganisationTypeEnum": "registrations.enums.OrganisationType",
        "PaymentStateEnum": "registrations.payments.enums.PaymentState",
        "RefundStateEnum": "registrations.payments.enums.RefundState",
        "WaitingListStatusEnum": "registrations.enums.WaitingListStatus",
        "PrintJobStatusEnum": "badges.enums.PrintJobStatus",
        "SignupStatusEnum": "sessions.enums.SignupStatus",
    },
}

# --- Convene behaviour ----------------------------------------------------------------------
# Minutes a seat is held while a delegate completes an order (and the Stripe payment window).
SEAT_HOLD_MINUTES = env.int("SEAT_HOLD_MINUTES", default=15)
# PostgreSQL lock_timeout for capacity locks; a timeout becomes "busy, try again".
CAPACITY_LOCK_TIMEOUT_MS = env.int("CAPACITY_LOCK_TIMEOUT_MS", default=5000)

# --- Security: strict when DEBUG is off -----------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; events_site/csp.py adds the Stripe origins): our own
# scripts only, no inline script anywhere (the API docs load their start-up script as a file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The check-in desk's service worker and web app manifest (badges/offline_views.py).
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Badges and check-in ---------------------------------------------------------------------
# Worker processes rendering badge PDFs (0 = one per CPU) and badges per WeasyPrint document.
BADGES_RENDER_WORKERS = env.int("BADGES_RENDER_WORKERS", default=0)
BADGES_CHUNK_SIZE = env.int("BADGES_CHUNK_SIZE", default=50)
# A running print job beats after every chunk (about a second); one silent for this long has
# lost its worker. A run may last at most the time limit. Both in seconds; see docs/badges.md.
BADGES_PRINT_JOB_STALE_AFTER = env.int("BADGES_PRINT_JOB_STALE_AFTER", default=300)
BADGES_PRINT_JOB_TIME_LIMIT = env.int("BADGES_PRINT_JOB_TIME_LIMIT", default=3600)
# A running bulk job with no progress for this long lost its worker: the sweep queues it again,
# at most BULK_JOB_MAX_RUNS runs in all (then its pending items are failed with the reason).
BULK_JOB_STALE_MINUTES = env.int("BULK_JOB_STALE_MINUTES", default=10)
BULK_JOB_MAX_RUNS = env.int("BULK_JOB_MAX_RUNS", default=3)
# The offline desk (badges/offline.py): the desk list's changes are numbered at most this often
# (seconds), whatever the number of desks asking.
BADGES_DESK_REFRESH_SECONDS = env.int("BADGES_DESK_REFRESH_SECONDS", default=10)

# --- agenda ---------------------------------------------------------------------------------
# Name the agenda's choice sets in the API schema (they share field names with other apps').
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "SessionStatusEnum": "sessions.enums.SessionStatus",
        "SessionFormatEnum": "sessions.enums.SessionFormat",
        "SpeakerRoleEnum": "sessions.enums.SpeakerRole",
        "ProposalStatusEnum": "sessions.enums.ProposalStatus",
        # One name for the countries, whichever field carries them (country, organisation_country).
        "CountryEnum": "django_countries.countries",
    }
)
