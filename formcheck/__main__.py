"""`python -m formcheck ...`: the same as the `formcheck` command."""

import sys

from formcheck.app.cli import main

sys.exit(main())
