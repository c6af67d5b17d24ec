"""``python -m formcheck.synth``: see :mod:`formcheck.synth.cli`."""

from __future__ import annotations

import sys

from formcheck.synth.cli import main

if __name__ == "__main__":
    sys.exit(main())
