import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangarstack.settings.prod")
django_application = get_wsgi_application()

from hangarstack.pagecache import PageCacheFront  # noqa: E402 - needs the settings set up above

# Fresh stored pages are answered before Django's request cycle (hangarstack.pagecache).
application = PageCacheFront(django_application)
