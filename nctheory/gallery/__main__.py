"""``python -m nctheory.gallery NAME|--all --out DIR [--quick]`` (same as ``nctheory gallery``)."""

import sys

from nctheory.gallery import main

sys.exit(main())
