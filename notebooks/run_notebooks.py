"""Executes the numbered notebooks headless (nbclient) against one campaign run, in order.

    python notebooks/run_notebooks.py RUN_DIR [--out notebooks/target/executed] [--timeout 900]

The committed notebooks are never written: each executed copy, with its outputs, goes to --out. The run
directory reaches the kernel as $REDPACKET_RUN and is also written into the copy's ``parameters`` cell, so
the copy says what it ran on. Exit 1 on the first notebook whose cell raises (a missed floor raises).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent


def notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def parameterise(nb: nbformat.NotebookNode, run: Path) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            cell.source = f"# Parameters, set by run_notebooks.py\nRUN = {str(run)!r}"
            return
    raise ValueError("no cell tagged 'parameters'")


def execute(path: Path, run: Path, out_dir: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    parameterise(nb, run)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}})
    start = time.monotonic()
    target = out_dir / path.name
    try:
        client.execute()
    finally:
        nbformat.write(nb, target)
    return time.monotonic() - start


def measured_lines(nb: nbformat.NotebookNode) -> list[str]:
    """Lines of cell output that report the measurement (precision, recall, floors), echoed into the build log."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("text", "")
            for line in (text if isinstance(text, str) else "".join(text)).splitlines():
                if line.startswith(("precision ", "floors met", "kind ", "population ", "honest money held", "floors of issue")):
                    out.append(line)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="campaign run directory (bin/redpacket campaign --work DIR)")
    ap.add_argument("--out", type=Path, default=HERE / "target" / "executed")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = ap.parse_args(argv)
    run = args.run.resolve()
    if not (run / "settlement").is_dir():
        print(f"run-notebooks: {run}: not a campaign run (no settlement/)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["REDPACKET_RUN"] = str(run)
    found = notebooks(HERE)
    if not found:
        print("run-notebooks: no numbered notebooks found", file=sys.stderr)
        return 1
    failed = 0
    for path in found:
        try:
            took = execute(path, run, args.out, args.timeout)
            print(f"run-notebooks: {path.name} ok in {took:.1f} s -> {args.out / path.name}")
            for line in measured_lines(nbformat.read(args.out / path.name, as_version=4)):
                print(f"run-notebooks:   {line}")
        except CellExecutionError as e:
            failed += 1
            print(f"run-notebooks: {path.name} FAILED (executed copy with the error: {args.out / path.name})\n{e}", file=sys.stderr)
            break
    passed = len(found) - failed if not failed else found.index(path)
    print(f"notebooks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
