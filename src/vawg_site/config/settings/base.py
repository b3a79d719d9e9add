"""The site's base settings: everything shared, and all that ``vawg demo`` needs to serve over plain
http://127.0.0.1 with no setup.

Every setting a deployer may change is declared once in ``vawg_site.config.env.SETTINGS`` with its
default, unit and help; ``docs/settings.md`` lists them and a test checks the two agree. The test
settings (:mod:`.test`) and the deployment settings (:mod:`.production`) start from these.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from vawg.force_area import ForceArea
from vawg_site.config.analysis import analysis_read
from vawg_site.config.env import setting

BASE_DIR = Path(__file__).resolve().parents[2]  # src/vawg_site
PROJECT_ROOT = BASE_DIR.parent.parent

DEBUG = setting("VAWG_DEBUG")
SECRET_KEY = setting("VAWG_SECRET_KEY")
ALLOWED_HOSTS = setting("VAWG_ALLOWED_HOSTS")
VAWG_HOME = Path(setting("VAWG_HOME")).expanduser().resolve()
VAWG_MAP_TILE_URL = setting("VAWG_MAP_TILE_URL")
VAWG_RANK_EXTRACT = setting("VAWG_RANK_EXTRACT")
VAWG_EXIT_URL = setting("VAWG_EXIT_URL")
# How the published analyses run (hotspot score, permutations, seed, cell, period): one table.
VAWG_ANALYSIS = analysis_read()
# Limits on work not kept yet, per client and per worker (vawg_site.common.http).
VAWG_RENDERS_PER_MINUTE = setting("VAWG_RENDERS_PER_MINUTE")
VAWG_RENDER_SLOTS = setting("VAWG_RENDER_SLOTS")
VAWG_TRUSTED_PROXIES = setting("VAWG_TRUSTED_PROXIES")
VAWG_QUARANTINE_RETENTION_DAYS = setting("VAWG_QUARANTINE_RETENTION_DAYS")
# MoPI review periods in years, by retention group (vawg.retention, docs/retention.md).
VAWG_RETENTION_REVIEW_YEARS = {
    1: setting("VAWG_RETENTION_GROUP1_REVIEW_YEARS"),
    2: setting("VAWG_RETENTION_GROUP2_REVIEW_YEARS"),
    3: setting("VAWG_RETENTION_GROUP3_REVIEW_YEARS"),
}
# The force area every public figure is drawn from (vawg.force_area; the Met: 32 boroughs).
VAWG_FORCE_AREA = ForceArea(
    name=setting("VAWG_FORCE_NAME"),
    police_uk_slug=setting("VAWG_FORCE_SLUG"),
    excluded=frozenset(setting("VAWG_FORCE_EXCLUDED_AREAS")),
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "vawg_site.audit",
    "vawg_site.records",
    "vawg_site.opendata",
    "vawg_site.ingest",
    "vawg_site.jobs",
    "vawg_site.public",
    "vawg_site.api",
    "vawg_site.accounts",
    "vawg_site.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The request id and channel every audit row carries (vawg_site.common.access).
    "vawg_site.common.access.AccessContextMiddleware",
    # Staff sessions end after 15 min idle or 8 h (vawg_site.accounts.sessions).
    "vawg_site.accounts.sessions.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # One data version for all of a request's reads (vawg_site.common.caching).
    "vawg_site.common.caching.DataVersionMiddleware",
]

ROOT_URLCONF = "vawg_site.config.urls"
WSGI_APPLICATION = "vawg_site.config.wsgi.application"

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
                "vawg_site.public.context.site",
            ],
        },
    },
]

_database_url = setting("DATABASE_URL") or f"sqlite:///{Path(VAWG_HOME) / 'vawg.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while a load writes; the pragmas are applied on every connection.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered public pages and computed figures, keyed on the data loaded (vawg_site.public).
CACHES = setting("VAWG_CACHE_URL")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A locked account gets the sign-in page's own "not recognised", as a wrong password does: no
# enumeration (vawg_site.accounts.services.password_check, docs/accounts.md).
AXES_LOCKOUT_CALLABLE = "vawg_site.accounts.services.lockout_response"
AXES_RESET_ON_SUCCESS = True
LOGIN_URL = "workspace:sign_in"
OTP_TOTP_ISSUER = "vawg"
# Passkeys (WebAuthn) as a second factor beside the app, never instead of the password
# (vawg_site.accounts.passkeys, docs/accounts.md). The helper works out the relying party and the
# expected origin per request, so the package's fixed list of origins is not used and its check
# that the list is set (otp_webauthn.E030) is silenced.
VAWG_PASSKEY_RP_ID = setting("VAWG_PASSKEY_RP_ID")
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID_CALLABLE = "vawg_site.accounts.passkeys.rp_id"
OTP_WEBAUTHN_RP_NAME = "vawg staff workspace"
OTP_WEBAUTHN_HELPER_CLASS = "vawg_site.accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_TIMEOUT_SECONDS = 5 * 60
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E030"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(VAWG_HOME) / "static"
STATICFILES_DIRS = [PROJECT_ROOT / "build" / "static", BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600

# Leave no traces on a shared device: session and CSRF cookies die with the browser.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_AGE = None
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- public site: headers ---------------------------------------------------------------------
# HSTS for a year, subdomains included. Django sends it only on HTTPS responses, so it has no
# effect on a local http://127.0.0.1 demo. Scripts are same-origin files only: no inline script and
# so no nonce, which also lets public pages be cached.
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# --- end public site headers -------------------------------------------------------------------

_tile_origins = setting("VAWG_MAP_TILE_ORIGINS")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tile_origins],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
