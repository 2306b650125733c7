"""`python -m bench.generate --count N` (or `--delete`): the benchmark's generated aircraft.

The command line of bench/generator.py, outside any app. Like manage.py it uses
the development settings and their embedded database unless
DJANGO_SETTINGS_MODULE says otherwise (bench/run.py sets the production ones).
Django is set up before the generator, and with it the catalogue's models, is imported.
"""

import os
import sys

import django


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangarstack.settings.dev")
    if os.environ["DJANGO_SETTINGS_MODULE"].endswith((".dev", ".test")):
        from devstack import attach_for_manage_py

        attach_for_manage_py()
    django.setup()
    from bench.generator import Command

    # Same options, output, verbosity and errors as the manage.py command it was.
    Command().run_from_argv(["python -m", "bench.generate", *argv])  # usage: python -m bench.generate ...


if __name__ == "__main__":
    main(sys.argv[1:])
