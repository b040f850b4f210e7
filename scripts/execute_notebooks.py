"""Execute notebooks headless with the project's tslab kernel and save them, with HTML copies.

Called by scripts/jupyter.mjs (`npm run walkthrough`, `npm run notebooks`, `npm run docs`); run
with Jupyter's own Python (/usr/bin/python3 on Debian). Usage:

    execute_notebooks.py [--docs] OUT_DIR NOTEBOOK [NOTEBOOK ...]

Each notebook runs in its own directory (so relative paths in cells work), with a per-cell timeout
from ENCDEC_CELL_TIMEOUT (seconds, default 3600), and with its own temporary directory (TMPDIR),
removed when the notebook ends, so that nothing a notebook writes there outlives the run. Progress
goes to stdout: one line per notebook and one per code cell as it starts (cell n of N, elapsed).
The executed notebook goes to OUT_DIR/NAME.ipynb and an HTML copy (charts included) to
OUT_DIR/NAME.html, each written atomically. With --docs (`npm run docs`: the rendering committed in
docs/notebooks/) only the notebook is written, without per-cell timestamps (so that a new rendering
differs only where outputs do), and its metadata records `encdec.quick` (whether ENCDEC_QUICK was
set). On a cell error the partly executed notebook is still
saved, the failing cell's error (name, message, first lines of its trace) and source are printed,
and the exit status is 1.
"""

import base64
import copy
import os
import re
import shutil
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

TRACE_LINES = 6
SOURCE_LINES = 12


def write_atomic(path, text):
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temp, path)


# ## 1. HTML with every chart
#
# nbconvert 6.x passes every image/svg+xml output through its HTML sanitizer, which drops the SVG
# elements and leaves only their text (fixed upstream in nbconvert 7). An SVG inside an <img> as a
# data URI is never sanitized, never runs scripts, and draws the same in every browser.


class SvgAsImage(Preprocessor):
    """Replaces each image/svg+xml output by an <img> holding the SVG as a data URI."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).pop("image/svg+xml", None)
            if svg is None:
                continue
            text = "".join(svg) if isinstance(svg, list) else svg
            encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
            output["data"]["text/html"] = (
                f'<img class="encdec-chart" alt="chart" src="data:image/svg+xml;base64,{encoded}">'
            )
        return cell, resources


def to_html(nb):
    exporter = HTMLExporter()
    exporter.register_preprocessor(SvgAsImage(), enabled=True)
    html, _ = exporter.from_notebook_node(copy.deepcopy(nb))
    return html


# ## 2. A failing cell's reason, for the terminal
#
# tslab reports an error on the cell's stderr (name, message, stack), with an empty `ename` in its
# reply; other kernels send an `error` output. Either way we print the error's name and message
# and the first lines of its trace.

ERROR_LINE = re.compile(r"^(\w*(?:Error|Exception)\w*)(?: \[[^\]]*\])?: (.*)$")
TYPESCRIPT_LINE = re.compile(r"^\d+:\d+ - ")
TRACE_LINE = re.compile(r"^\s+at ")
# Frames of Node's vm module and of tslab itself, below the notebook's own code.
MACHINERY = re.compile(r"node:vm|sigintHandlersWrap|/tslab/dist/")


def text_of(output):
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def describe_error(cell):
    """(name, message, trace lines) of the error a failed cell shows."""
    outputs = cell.get("outputs", [])
    for output in outputs:
        if output.get("output_type") == "error" and output.get("ename"):
            trace = [strip_ansi(line) for line in output.get("traceback", [])]
            lines = "\n".join(trace).splitlines()
            return output["ename"], output.get("evalue", ""), lines[:TRACE_LINES]
    stderr = "".join(
        text_of(o)
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )
    lines = strip_ansi(stderr).rstrip().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        match = ERROR_LINE.match(lines[i])
        if match:
            rest = lines[i + 1 :]
            message = [match.group(2)] + [
                line for line in take_until(rest, TRACE_LINE.match) if line.strip()
            ]
            trace = [
                line.strip()
                for line in rest
                if TRACE_LINE.match(line) and not MACHINERY.search(line)
            ]
            return match.group(1), "\n".join(message), trace[:TRACE_LINES]
    compile_errors = [line for line in lines if TYPESCRIPT_LINE.match(line)]
    if compile_errors:
        return "TypeScript compile error", "\n".join(compile_errors), []
    return "Error", "\n".join(lines[-TRACE_LINES:]) or "(the kernel gave no message)", []


def take_until(lines, stop):
    taken = []
    for line in lines:
        if stop(line):
            break
        taken.append(line)
    return taken


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


def error_report(path, cell, position, seconds, out_path):
    name, message, trace = describe_error(cell)
    source = cell.get("source", "")
    source_lines = source.splitlines()
    shown = "\n".join(source_lines[:SOURCE_LINES])
    if len(source_lines) > SOURCE_LINES:
        shown += f"\n... ({len(source_lines) - SOURCE_LINES} more lines)"
    parts = [
        f"FAILED {path}: {position} after {seconds:.0f} s",
        f"  {name}: {indent(message, '    ').lstrip()}",
        *(f"    {line}" for line in trace),
        "  in the cell:",
        indent(shown, "    | "),
        f"  the executed notebook, with every output: {out_path}",
    ]
    return "\n".join(parts)


# ## 3. Running one notebook, with progress


def code_cells(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]


def first_line(source, width=60):
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= width else line[: width - 3] + "..."


def execute(path, out_dir, timeout, docs, number, total):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    code = code_cells(nb)
    print(f"[{number}/{total}] {path}: {len(code)} code cells", flush=True)
    started = time.time()
    running = {}

    def on_cell_start(cell, cell_index):
        if cell_index not in code:
            return
        running["index"] = cell_index
        n = code.index(cell_index) + 1
        elapsed = time.time() - started
        line = f"  cell {n:>2} of {len(code)}  {elapsed:5.0f} s  {first_line(cell.source)}"
        print(line, flush=True)

    tmp = tempfile.mkdtemp(prefix="encdec-notebook-")
    env = {**os.environ, "TMPDIR": tmp}
    client = NotebookClient(
        nb,
        kernel_name="encdec",
        timeout=timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_start=on_cell_start,
        record_timing=not docs,
    )
    error = None
    try:
        client.execute(env=env)
    except CellExecutionError as e:
        error = e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.time() - started
    out_path = os.path.join(out_dir, f"{name}.ipynb")
    if docs:
        nb.metadata["encdec"] = {"quick": bool(os.environ.get("ENCDEC_QUICK"))}
    write_atomic(out_path, nbformat.writes(nb))
    if not docs:
        write_atomic(os.path.join(out_dir, f"{name}.html"), to_html(nb))
    if error is not None:
        index = running.get("index")
        cell = nb.cells[index] if index is not None else {"source": "", "outputs": []}
        position = (
            f"code cell {code.index(index) + 1} of {len(code)}" if index in code else "a cell"
        )
        print(error_report(path, cell, position, seconds, out_path), file=sys.stderr, flush=True)
        return False
    written = f"{out_dir}/{name}.ipynb" + ("" if docs else ", .html")
    print(f"ok     {path} in {seconds:.0f} s -> {written}", flush=True)
    return True


def main(argv):
    args = argv[1:]
    docs = "--docs" in args
    args = [a for a in args if a != "--docs"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir, notebooks = args[0], args[1:]
    os.makedirs(out_dir, exist_ok=True)
    timeout = int(os.environ.get("ENCDEC_CELL_TIMEOUT", "3600"))
    started = time.time()
    results = [
        execute(path, out_dir, timeout, docs, i + 1, len(notebooks))
        for i, path in enumerate(notebooks)
    ]
    failed = results.count(False)
    seconds = time.time() - started
    summary = f"{len(notebooks) - failed} of {len(notebooks)} notebooks ran in {seconds:.0f} s"
    print(summary + (f"; {failed} failed" if failed else ""), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
