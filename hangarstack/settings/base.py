"""Settings shared by every environment; each block reads its own variables.

Environment variables always win over a `.env` file, which is read only in
development (see dev.py). Every variable is documented in `.env.example`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------
SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "aircraft",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Directly after SecurityMiddleware, as whitenoise's docs ask.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hangarstack.middleware.RequestContextMiddleware",
    "hangarstack.middleware.JsonApiErrorsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hangarstack.urls"
WSGI_APPLICATION = "hangarstack.wsgi.application"

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
                "aircraft.context_processors.units",
            ],
        },
    },
]

# --- Database: PostgreSQL only (search and constraints rely on it) ----------
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis, shared by every worker and replica -----------------------
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "hangarstack",
            "TIMEOUT": env.int("CACHE_TIMEOUT", default=3600),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ADMIN_URL = env("ADMIN_URL", default="admin/").strip("/") + "/"

# --- I18n -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# --- Catalogue --------------------------------------------------------------
CATALOGUE_FIXTURE = BASE_DIR / "fixtures" / "aircraft.json"
CATALOGUE_SCHEMA = BASE_DIR / "fixtures" / "aircraft.schema.json"
CATALOGUE_PAGE_SIZE = env.int("CATALOGUE_PAGE_SIZE", default=24)
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Kafka and events -----------------------------------------------------------
# Names follow the operations guide, so one configuration reaches a local broker,
# Apache Kafka or Confluent Cloud (SASL_SSL + PLAIN with an API key and secret).
EVENTS_ENABLED = env.bool("EVENTS_ENABLED", default=True)
KAFKA = {
    "BOOTSTRAP_SERVERS": env("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092"),
    "SECURITY_PROTOCOL": env("KAFKA_SECURITY_PROTOCOL", default="PLAINTEXT"),
    "SASL_MECHANISM": env("KAFKA_SASL_MECHANISM", default="PLAIN"),
    "USERNAME": env("KAFKA_USERNAME", default=""),
    "PASSWORD": env("KAFKA_PASSWORD", default=""),
    "MESSAGE_TIMEOUT_MS": env.int("KAFKA_MESSAGE_TIMEOUT_MS", default=10_000),
    "CONSUMER_GROUP": env("KAFKA_CONSUMER_GROUP", default="hangarstack-analytics"),
    "TOPIC_PARTITIONS": env.int("KAFKA_TOPIC_PARTITIONS", default=6),
    "TOPIC_REPLICATION_FACTOR": env.int("KAFKA_TOPIC_REPLICATION_FACTOR", default=3),
    "TOPIC_PREFIX": env("KAFKA_TOPIC_PREFIX", default=""),
}
# Client addresses in events are pseudonymised with this key (defaults to one
# derived from SECRET_KEY); see README "Privacy".
EVENTS_IP_HASH_KEY = env("EVENTS_IP_HASH_KEY", default="")
# Behind a proxy: how many trusted proxies append to X-Forwarded-For (0 = none,
# use the socket's address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
