"""How a subprocess (manage.py, gunicorn, pg_dump) reaches the test database."""

from django.conf import settings


def database_url(name: str | None = None, port: int | None = None) -> str:
    """The test database's URL, or another database/port on the same server."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{port or db['PORT']}/{name or db['NAME']}"
