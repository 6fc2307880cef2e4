#!/usr/bin/env bash
# Executes every numbered notebook, in order and headless, against a campaign run directory.
# Executed copies (with outputs) go to notebooks/target/executed/; the committed notebooks stay clean.
#   notebooks/run-notebooks.sh RUN_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
if [[ $# -ne 1 ]]; then
  echo "usage: notebooks/run-notebooks.sh RUN_DIR   (a directory written by: bin/redpacket campaign --work RUN_DIR)" >&2
  exit 2
fi
export MPLBACKEND=module://matplotlib_inline.backend_inline
exec "$PY" "$NOTEBOOKS_DIR/run_notebooks.py" "$1" --out "$NOTEBOOKS_DIR/target/executed"
