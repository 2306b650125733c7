"""The floor: a bare Django view that returns a page of the same size, and nothing else.

Served (bench.floor_wsgi) by gunicorn with the project's gunicorn.conf.py, exactly like the site,
so every figure can be read as a share of what Django itself manages on this
machine. The body is the bytes of a real aircraft page, saved by the harness to
the file named by BENCH_FLOOR_BODY (so size and compressibility match).

Two settings modules use this urlconf:
- bench.floor_settings: no apps, no middleware, no database (the floor proper);
- bench.floor_mw_settings: the production settings and their full middleware
  stack, with this view behind it (shows what the middleware costs).
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

FLOOR_PATH = "/floor/"
_BODY = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes() if os.environ.get("BENCH_FLOOR_BODY") else b"x" * 16_384


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", page)]
