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
