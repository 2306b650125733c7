"""A bare Django project: one URL, one view, no apps, no middleware, no database."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-floor-" + "x" * 50
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
