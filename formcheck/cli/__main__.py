"""``python -m formcheck.cli`` runs the command line."""

import sys

from formcheck.cli import main

sys.exit(main())
