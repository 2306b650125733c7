"""`python -m devstack exec -- CMD ...` and `python -m devstack serve` (see devstack/__init__.py)."""

import sys

from devstack import main

sys.exit(main(sys.argv[1:]))
