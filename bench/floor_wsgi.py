"""gunicorn -c gunicorn.conf.py bench.floor_wsgi:application (see bench/floor.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")
application = get_wsgi_application()
