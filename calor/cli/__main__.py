"""``python -m calor.cli``: the ``heat`` command."""

import sys

from calor.cli.main import main

sys.exit(main())
