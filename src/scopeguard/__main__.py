"""``python -m scopeguard`` is the ``scopeguard`` command."""

import sys

from ._cli import main

sys.exit(main())
