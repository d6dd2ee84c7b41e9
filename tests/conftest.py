"""Suite-wide setup: the test interpreter's own ``bin`` directory comes first on ``PATH``.

``scripts/test`` runs ``.venv/bin/python -m pytest`` without activating the virtualenv, so
the command-line clients installed there (``openstack``, ``cfn-signal``, ``aws``, ``heat``)
would otherwise be missed by ``shutil.which`` and by the subprocesses the tests start.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
