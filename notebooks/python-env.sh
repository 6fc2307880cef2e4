# Sourced by the notebooks scripts: finds the Python environment of the README's set-up, or says how to make it.
NOTEBOOKS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$NOTEBOOKS_DIR")"
PY="${NOTEBOOKS_PYTHON:-$REPO_DIR/.venv/bin/python}"
if [[ ! -x "$PY" ]] || ! "$PY" -c 'import nbclient, pandas, pyarrow, networkx, matplotlib, sklearn' 2>/dev/null; then
  cat >&2 <<MSG
notebooks: no usable Python environment at $PY (property notebooks.python / \$NOTEBOOKS_PYTHON).
Set it up once, from the repository root (see README.md, "Set-up"):
    python3 -m venv .venv && .venv/bin/pip install -r notebooks/requirements.txt
MSG
  exit 1
fi
