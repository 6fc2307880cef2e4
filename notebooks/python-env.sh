# Sourced by the notebooks scripts: the notebooks' Python environment, made by the build when it is missing or when
# notebooks/requirements.txt changed since it was made (so a fresh clone needs no set-up command of its own).
# pip reads its index from the usual places (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, pip.conf): a machine without PyPI
# points those at a local wheel index.
NOTEBOOKS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$NOTEBOOKS_DIR")"
REQUIREMENTS="$NOTEBOOKS_DIR/requirements.txt"
if [[ -n "${NOTEBOOKS_PYTHON:-}" && "$(realpath -ms "$NOTEBOOKS_PYTHON")" != "$REPO_DIR/.venv/bin/python" ]]; then
  # An interpreter someone chose: used as it is, never modified.
  PY="$NOTEBOOKS_PYTHON"
  if [[ ! -x "$PY" ]] || ! "$PY" -c 'import nbclient, pandas, pyarrow, networkx, matplotlib, sklearn' 2>/dev/null; then
    echo "notebooks: $PY (property notebooks.python / \$NOTEBOOKS_PYTHON) lacks the packages of $REQUIREMENTS" >&2
    exit 1
  fi
else
  VENV="$REPO_DIR/.venv"
  PY="$VENV/bin/python"
  STAMP="$VENV/.requirements.sha256"
  WANT="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  if [[ ! -x "$PY" || "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]]; then
    PYTHON3="${NOTEBOOKS_BASE_PYTHON:-python3}"
    echo "notebooks: making the Python environment $VENV from $REQUIREMENTS (once; a few minutes)" >&2
    # A broken .venv (a dangling link, a half-made directory) is replaced, not patched.
    if [[ ( -e "$VENV" || -L "$VENV" ) && ! -x "$PY" ]]; then rm -rf "$VENV"; fi
    # --no-compile: Python compiles what is imported on first use; compiling every module of every package up front
    # made the install take 37 s instead of 16 s on 2 cores.
    if ! "$PYTHON3" -m venv "$VENV" \
        || ! "$PY" -m pip install -q --disable-pip-version-check --no-compile -r "$REQUIREMENTS" >"$REPO_DIR/notebooks/.pip-install.log" 2>&1; then
      echo "notebooks: could not make $VENV (needs Python 3.11 with venv and a package index pip can reach); pip's output:" >&2
      tail -20 "$REPO_DIR/notebooks/.pip-install.log" >&2 2>/dev/null
      exit 1
    fi
    echo "$WANT" > "$STAMP"
  fi
fi
