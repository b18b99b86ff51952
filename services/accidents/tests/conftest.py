"""Makes the service package importable for its tests (the runner does the same for the suite)."""
from __future__ import annotations

import sys
from pathlib import Path

SERVICE_DIR = str(Path(__file__).resolve().parent.parent)
if SERVICE_DIR not in sys.path:
    sys.path.insert(0, SERVICE_DIR)
