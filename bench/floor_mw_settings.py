"""The production settings and middleware, in front of the floor's static view."""

from hangarstack.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
