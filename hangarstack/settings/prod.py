"""Production: refuses to start on unsafe or missing configuration."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG must not be on in production.")
DEBUG = False

SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-only", "test-only", "change-me")):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names.")

EVENTS_IP_HASH_KEY = env("EVENTS_IP_HASH_KEY", default="")
if len(EVENTS_IP_HASH_KEY) < 32 or EVENTS_IP_HASH_KEY == SECRET_KEY:
    # Not derived from SECRET_KEY, which every web, relay and consumer host holds:
    # with it, visitor hashes in the event stream link back to addresses.
    raise ImproperlyConfigured("EVENTS_IP_HASH_KEY must be set to its own random value of at least 32 characters.")

if not env("CACHE_URL", default=""):
    raise ImproperlyConfigured("CACHE_URL must point at Redis: rate limits and the page cache are shared.")

# --- HTTPS, behind a TLS-terminating proxy (nginx, an ingress) ----------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics$"]  # in-cluster probes and scrapes speak HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True

LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
