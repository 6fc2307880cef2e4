#!/usr/bin/env bash
# Unit tests of redpacket_analysis on small synthetic runs (no campaign needed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
cd "$NOTEBOOKS_DIR"
exec "$PY" -m pytest -q -p no:cacheprovider tests
