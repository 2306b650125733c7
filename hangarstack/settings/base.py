"""Settings shared by every environment; each block reads its own variables.

Environment variables always win over a `.env` file, which is read only in
development (see dev.py). Every variable is documented in `.env.example`.
"""

import tempfile
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
    "django.contrib.sitemaps",
    "axes",
    "django_prometheus",
    "django_ratelimit",
    "corsheaders",
    "csp",
    "hangarstack",
    "aircraft",
    "events",
]

MIDDLEWARE = [
    # Probes are answered first: no host check, HTTPS redirect or rate limit.
    "hangarstack.health.HealthCheckMiddleware",
    # The one request-metrics middleware: every answer, cached or not, is counted and timed.
    "hangarstack.metrics.RequestMetricsMiddleware",
    # Repeat visits are answered here in one Redis round trip, before the rest
    # of the stack, rate limit included (see hangarstack.pagecache).
    "hangarstack.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Directly after SecurityMiddleware, as whitenoise's docs ask.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hangarstack.middleware.RequestContextMiddleware",
    "hangarstack.middleware.JsonApiErrorsMiddleware",
    "hangarstack.middleware.DatabaseUnavailableMiddleware",
    "hangarstack.ratelimits.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our 429 page.
    "axes.middleware.AxesMiddleware",
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
                "aircraft.context_processors.canonical",
            ],
        },
    },
]

# --- Database: PostgreSQL only (search and constraints rely on it) ----------
DATABASES = {"default": env.db_url("DATABASE_URL", engine="django_prometheus.db.backends.postgresql")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis, shared by every worker and replica -----------------------
# A cache, not a dependency (core/cache.py): short socket timeouts, and a
# circuit breaker that stops trying for CACHE_BREAKER_SECONDS after a failure.
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "hangarstack",
            "TIMEOUT": env.int("CACHE_TIMEOUT", default=3600),
            "BREAKER_SECONDS": env.float("CACHE_BREAKER_SECONDS", default=5.0),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=0.1),
                "SOCKET_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=0.1),
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
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out (username, address) before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
# Uploads (logos, photos and their renditions) go through STORAGES["default"]:
# a disk by default; object storage by naming its backend and options, e.g.
# MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage (with django-storages).
STORAGES = {
    "default": {
        "BACKEND": env("MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# --- Catalogue --------------------------------------------------------------
CATALOGUE_FIXTURE = BASE_DIR / "fixtures" / "aircraft.json"
CATALOGUE_SCHEMA = BASE_DIR / "fixtures" / "aircraft.schema.json"
CATALOGUE_PAGE_SIZE = env.int("CATALOGUE_PAGE_SIZE", default=24)
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
# A CSV or JSON download holds at most this many aircraft; a larger list asks for narrower filters.
DOWNLOAD_MAX_AIRCRAFT = env.int("DOWNLOAD_MAX_AIRCRAFT", default=500)

# --- Logging: JSON lines in production, readable text in development ----------
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.logs.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # librdkafka logs every refused reconnect as an error; the events code logs what
    # matters, once per change of state (the producer's error_cb, relay and consumer).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "librdkafka": {"level": "CRITICAL"}},
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
    # How long librdkafka gathers records before it sends them (one produce request per
    # partition per interval). Visits' events are already gathered into batches (below).
    "LINGER_MS": env.int("KAFKA_LINGER_MS", default=20),
    # How long a web process gathers its views, searches and comparisons into one record
    # per topic (events.envelope.make_batch); 0 sends one record per event. Longer means
    # less work per event for the worker, the broker and the consumer, and a longer
    # window a SIGKILLed worker can lose (this plus LINGER_MS).
    "BATCH_MS": env.int("EVENTS_BATCH_MS", default=100),
    "CONSUMER_GROUP": env("KAFKA_CONSUMER_GROUP", default="hangarstack-analytics"),
    # Static membership (group.instance.id): a restarted consumer with the same id
    # gets its partitions back at once. Unique per consumer process; empty = dynamic.
    "CONSUMER_INSTANCE_ID": env("KAFKA_CONSUMER_INSTANCE_ID", default=""),
    # How long a silent (killed) consumer keeps its partitions before the group rebalances.
    "SESSION_TIMEOUT_MS": env.int("KAFKA_SESSION_TIMEOUT_MS", default=10_000),
    "TOPIC_PARTITIONS": env.int("KAFKA_TOPIC_PARTITIONS", default=6),
    "TOPIC_REPLICATION_FACTOR": env.int("KAFKA_TOPIC_REPLICATION_FACTOR", default=3),
    "TOPIC_PREFIX": env("KAFKA_TOPIC_PREFIX", default=""),
    # Development only (dev.py): create topics with at most as many replicas as brokers.
    "CAP_REPLICATION_AT_BROKERS": False,
}
# Confluent-compatible Schema Registry (Confluent Cloud: the registry's endpoint
# and an API key/secret for it). With a URL, values are framed by confluent-kafka's
# JSON Schema serializer (magic byte + schema id); without, plain JSON.
SCHEMA_REGISTRY = {
    "URL": env("SCHEMA_REGISTRY_URL", default=""),
    "API_KEY": env("SCHEMA_REGISTRY_API_KEY", default=""),
    "API_SECRET": env("SCHEMA_REGISTRY_API_SECRET", default=""),
    "COMPATIBILITY": env("SCHEMA_REGISTRY_COMPATIBILITY", default="BACKWARD"),
}
# Client addresses in events are pseudonymised with this key; see README "Privacy".
# Production requires its own (prod.py); elsewhere one is derived from SECRET_KEY.
EVENTS_IP_HASH_KEY = env("EVENTS_IP_HASH_KEY", default="")
# Events neither the broker nor PostgreSQL took wait here (events/spool.py).
EVENTS_SPOOL_DIR = env.path("EVENTS_SPOOL_DIR", default=Path(tempfile.gettempdir()) / "hangarstack-spool")
# Behind a proxy: how many trusted proxies append to X-Forwarded-For (0 = none,
# use the socket's address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Rate limits (django-ratelimit; counters in the shared Redis cache) --------
RATELIMIT_USE_CACHE = "default"
# django-ratelimit knows django-redis by name only: ours is django-redis (atomic
# INCR) behind a circuit breaker, with an outage rule per limit (RATELIMIT_OUTAGE).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_PUBLIC = env("RATELIMIT_PUBLIC", default="1000/h")
RATELIMIT_VIEW_BEACON = env("RATELIMIT_VIEW_BEACON", default="100/h")
RATELIMIT_ADMIN_LOGIN = env("RATELIMIT_ADMIN_LOGIN", default="30/h")
# Corrections from visitors (POST /aircraft/<slug>/corrections/), per client address.
RATELIMIT_CORRECTIONS = env("RATELIMIT_CORRECTIONS", default="10/h")
# With Redis unavailable: "open" (not counted) or "local" (counted per process);
# the reasons are in hangarstack/ratelimits.py.
RATELIMIT_OUTAGE = {"public": "open", "view-beacon": "local", "admin-login": "local", "corrections": "local"}
# Failed staff sign-ins (django-axes, see hangarstack/signin.py): after this many
# for one (username, address) pair, that pair is locked out for this long.
SIGNIN_MAX_FAILURES = env.int("SIGNIN_MAX_FAILURES", default=5)
SIGNIN_LOCKOUT_SECONDS = env.int("SIGNIN_LOCKOUT_SECONDS", default=900)
# Callables, so that both follow the two settings above (tests change them).
AXES_FAILURE_LIMIT = "hangarstack.signin.failure_limit"
AXES_COOLOFF_TIME = "hangarstack.signin.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "hangarstack.signin.username_for_lockout"
AXES_CLIENT_IP_CALLABLE = "hangarstack.signin.client_address"
# The lock-out page (hangarstack/lockout.py): 429 with Retry-After.
AXES_LOCKOUT_CALLABLE = "hangarstack.lockout.signin_paused"
AXES_RESET_ON_SUCCESS = True

# --- Metrics -------------------------------------------------------------------
# /metrics answers loopback, these networks, or a request bearing METRICS_TOKEN.
METRICS_ALLOWED_CIDRS = env.list("METRICS_ALLOWED_CIDRS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Page cache -----------------------------------------------------------------
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Each worker keeps up to this many MB of the page bodies it has read, so that
# a hit on a page it holds does not bring the body from Redis again (0: none).
PAGE_CACHE_LOCAL_MB = env.int("PAGE_CACHE_LOCAL_MB", default=32)
# Cookies a cached page depends on: each value gets its own copy (the unit system).
PAGE_CACHE_VARY_COOKIES = ["units"]

# --- Security headers shared by every environment -----------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
CORS_ALLOWED_ORIGINS = env.list("CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "OPTIONS", "POST"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
