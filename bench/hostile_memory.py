"""Peak memory and time of the hostile uploads of issue 14, against a plain catalog.

Each file is read in a fresh process the way the app reads an upload
(read_table -> build_catalog with the automatic mapping -> the word index),
and the process's peak resident memory (``ru_maxrss``) and wall time are
printed next to the same figures for a plain 300-row CSV measured in the same
run (the baseline: Python + pandas + the reader). A child that passes
``--limit-mb`` of address space or ``--timeout`` seconds is stopped and shown
as such, so a bomb cannot take the machine down.

    python bench/hostile_memory.py                  # this checkout
    python bench/hostile_memory.py --root OTHER     # another checkout (e.g. before a fix)

The files are built into a temporary folder (about 40 s, most of it writing
the 210 MB-of-XML workbook).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys, time
t = time.perf_counter()
try:
    from core.catalog.read import read_table
    from core.catalog.table import build_catalog, field_defaults
    from core.search.channels import catalog_index
except ImportError:  # the flat layout before the renovation
    from core.catalog import read_table, build_catalog, field_defaults
    from core.hybrid import catalog_index
try:
    table = read_table(sys.argv[1])
    catalog = build_catalog(table, field_defaults(table.frame), on_duplicate_ids="suffix")
    catalog_index(catalog, {})
    print(f"read {len(catalog):,} products")
except Exception as exc:
    print(f"refused: {type(exc).__name__}: {str(exc)[:90]}")
"""


def build_files(folder: Path) -> dict[str, Path]:
    from openpyxl import Workbook

    files = {}
    plain = folder / "plain.csv"
    plain.write_text("id,title\n" + "".join(f"p{i},widget number {i}\n" for i in range(300)))
    files["plain 300-row CSV (baseline)"] = plain
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title"])
    for i in range(300):
        sheet.append([f"p{i}", f"widget number {i}"])
    sheet["XFD1000000"] = "x"
    files["9 KB XLSX, 300 rows + a cell at XFD1000000"] = _save(book, folder / "far.xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    sheet.append(["id", "title", *[f"c{j}" for j in range(198)]])
    for i in range(20_000):
        sheet.append([f"p{i}", "same title", *["aaaa"] * 198])
    files["9.8 MB XLSX unpacking to 210 MB of XML"] = _save(book, folder / "ratio.xlsx")
    words = " ".join(f"w{i}" for i in range(2_600_000))[:20_000_000]
    big = folder / "big_cell.csv"
    big.write_text("id,title\n" + "".join(f"{i},small product {i}\n" for i in range(50))
                   + f"big,{words}\n")
    files["20 MB CSV, one cell of 2.6 M distinct words"] = big
    book = Workbook(write_only=True)
    for s in range(3000):
        sheet = book.create_sheet(f"sheet_with_a_long_name_{s}")
        if s == 0:
            sheet.append(["id", "title"])
            sheet.append(["1", "a"])
    files["1.2 MB XLSX with 3,000 sheets"] = _save(book, folder / "sheets.xlsx")
    page = folder / "empty_cells.xls"  # a web page under an Excel name, as shop backends write
    page.write_bytes(b"<table><tr><th>id</th><th>title</th></tr>"
                     + (b"<tr>" + b"<td></td>" * 100 + b"</tr>") * 30_000 + b"</table>")
    files["27 MB HTML page named .xls, 3 M empty cells"] = page
    return files


def _save(book, path: Path) -> Path:
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def measure(path: Path, root: Path, limit_mb: int, timeout: float) -> tuple[str, float, float]:
    """(outcome, peak MB, seconds) of reading one file in a fresh child process.

    The peak is the child's VmHWM (Linux /proc), read while it runs, so a child
    stopped at the timeout still has its figure."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(root)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             preexec_fn=cap)
    peak_kb = 0
    while child.poll() is None and time.perf_counter() - start < timeout:
        peak_kb = max(peak_kb, _hwm_kb(child.pid))
        time.sleep(0.1)  # sampling a running child's memory
    if child.poll() is None:
        child.kill()
        child.wait()
        return f"stopped after {timeout:.0f} s, still reading", peak_kb / 1024, timeout
    lines = (child.stdout.read() if child.stdout else "").strip().splitlines()
    return (lines[-1] if lines else f"exit {child.returncode}")[:110], peak_kb / 1024, \
        time.perf_counter() - start


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--limit-mb", type=int, default=6000, help="address-space cap per child")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = build_files(Path(tmp))
        print(f"code: {args.root}")
        print("| input | outcome | peak MB | vs baseline | seconds |\n|---|---|---|---|---|")
        base = None
        for name, path in files.items():
            outcome, peak, seconds = measure(path, Path(args.root), args.limit_mb, args.timeout)
            base = base or peak
            print(f"| {name} | {outcome} | {peak:,.0f} | {peak / base:.1f}x | {seconds:.1f} |",
                  flush=True)

if __name__ == "__main__":
    main()
