"""``python -m nctheory``: the command line (:func:`nctheory.cli.main`)."""

import sys

from nctheory.cli import main

if __name__ == "__main__":
    sys.exit(main())
