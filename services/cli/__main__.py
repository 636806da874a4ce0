"""`python -m services.cli` is the `datafactory` command."""

import sys

from services.cli import main

sys.exit(main())
