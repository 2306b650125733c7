"""This process's id, without a system call each time it is asked for.

Connections and Kafka producers are per process (a forked gunicorn worker must
not use its parent's sockets or librdkafka's threads), so the hot paths check
the process id at every request; os.getpid() is a system call each time.
"""

import os

_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def pid() -> int:
    return _pid
