"""Random ids (UUID version 4 text) from a pool filled by one system call.

uuid.uuid4() asks the kernel for 16 bytes at every call; under load that call
was the largest single cost of an event in a web worker (bench profile, events
on: about 9 us per request for the request id and the event's id, against 2 for
the request id alone with events off). The pool draws 256 ids' worth of
randomness at once. A forked child (a gunicorn worker) starts with an empty
pool, so no two processes ever hand out the same ids.
"""

import os

POOL_SIZE = 256
# Where each of an id's 32 hex digits goes in its 36-character text (8-4-4-4-12).
_DIGIT_AT = tuple(i + (i >= 8) + (i >= 12) + (i >= 16) + (i >= 20) for i in range(32))
# The variant digit of RFC 4122 ids is 8, 9, a or b: keep a random digit's two low bits.
_VARIANT = bytes.maketrans(b"0123456789abcdef", b"89ab89ab89ab89ab")
_BLANK_POOL = (b"-" * 36 + b" ") * POOL_SIZE  # the dashes in place, a space after each id
_pool: list[str] = []
os.register_at_fork(after_in_child=_pool.clear)


def _fill() -> None:
    """A pool's worth of ids, written digit column by digit column (32 strided
    copies for the whole pool) rather than formatted one id at a time: a third
    of the cost per id (timeit), and one of these is made for every event."""
    digits = os.urandom(16 * POOL_SIZE).hex().encode()
    text = bytearray(_BLANK_POOL)
    for digit, at in enumerate(_DIGIT_AT):
        text[at::37] = digits[digit::32]
    text[14::37] = b"4" * POOL_SIZE  # the version
    text[19::37] = digits[16::32].translate(_VARIANT)
    _pool.extend(text.decode().split())


def random_uuid() -> str:
    """A fresh random UUID as text ("1b4e28ba-2fa1-41d2-883f-0016d3cca427")."""
    while True:
        try:
            return _pool.pop()  # one step under the GIL: threads never get the same id
        except IndexError:
            _fill()


def random_hex() -> str:
    """The same, as 32 hex digits without dashes."""
    return random_uuid().replace("-", "")
