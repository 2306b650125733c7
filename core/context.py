"""Who is acting and on which request, for logs and event metadata.

Set by RequestContextMiddleware for web requests and by `acting_as()` in
management commands; read by logging and by the events app.
"""

import contextlib
import contextvars
from collections.abc import Iterator

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
actor: contextvars.ContextVar[str] = contextvars.ContextVar("actor", default="system")


@contextlib.contextmanager
def acting_as(name: str) -> Iterator[None]:
    token = actor.set(name)
    try:
        yield
    finally:
        actor.reset(token)
