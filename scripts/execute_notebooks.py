"""Execute notebooks headless with the project's tslab kernel and save them, with HTML copies.

Called by scripts/jupyter.mjs (`npm run walkthrough`, `npm run notebooks`); run with Jupyter's own
Python (/usr/bin/python3 on Debian). Usage:

    execute_notebooks.py OUT_DIR NOTEBOOK [NOTEBOOK ...]

Each notebook runs in its own directory (so relative paths in cells work), with a per-cell timeout
from ENCDEC_CELL_TIMEOUT (seconds, default 3600). The executed notebook goes to OUT_DIR/NAME.ipynb
and an HTML copy (charts included) to OUT_DIR/NAME.html, each written atomically. On a cell error the
partly executed notebook is still saved, the failing cell's source and error are printed, and the
exit status is 1.
"""

import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter


def write_atomic(path, text):
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temp, path)


def execute(path, out_dir, timeout):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="encdec",
        timeout=timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    started = time.time()
    error = None
    try:
        client.execute()
    except CellExecutionError as e:
        error = e
    seconds = time.time() - started
    write_atomic(os.path.join(out_dir, f"{name}.ipynb"), nbformat.writes(nb))
    html, _ = HTMLExporter().from_notebook_node(nb)
    write_atomic(os.path.join(out_dir, f"{name}.html"), html)
    if error is not None:
        print(f"FAILED {path} after {seconds:.0f} s:\n{error}", file=sys.stderr, flush=True)
        return False
    print(f"ok     {path} in {seconds:.0f} s -> {out_dir}/{name}.ipynb, .html", flush=True)
    return True


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir, notebooks = argv[1], argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    timeout = int(os.environ.get("ENCDEC_CELL_TIMEOUT", "3600"))
    results = [execute(path, out_dir, timeout) for path in notebooks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
