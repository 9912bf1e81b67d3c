"""``python -m api.cli``: the ``sgkg`` command line, for a checkout without the console
script (the tests start servers this way)."""

import sys

from api.cli import main

if __name__ == "__main__":
    sys.exit(main())
