"""`python -m formcheck`: the same command line as the `formcheck` script."""

import sys

from formcheck.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
