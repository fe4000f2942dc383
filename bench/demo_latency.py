"""Time from pressing "Use demo catalog" to the neighbour table, cold and warm.

    .venv/bin/python bench/demo_latency.py

Each measurement runs the real app in a fresh process (AppTest, bundled model):
the app opens (loading the model), then the clock runs from the click to the
neighbours page. cold = empty workspace (embedding 2,554 titles + top-k);
warm = same workspace again (vectors from the store + top-k).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=600)
at.run()
t0 = time.perf_counter()
at.button(key="catalog.use_demo").click().run()
at.switch_page("pages/neighbors.py").run()
assert not at.exception, at.exception
rows = len(at.dataframe[1].value)
print(json.dumps({"seconds": time.perf_counter() - t0, "rows_shown": rows}))
"""


def run_once(workspace: str) -> dict:
    env = {**os.environ, "CATSIM_WORKSPACE": workspace}
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as ws:
        cold = run_once(ws)
        warm = run_once(ws)
    print(f"demo catalog -> neighbour table, cold (empty store): {cold['seconds']:.1f} s")
    print(f"demo catalog -> neighbour table, warm (store filled): {warm['seconds']:.1f} s")
    print(f"(fresh process each; the model loads while the app opens, before the click; "
          f"rows shown {warm['rows_shown']})")


if __name__ == "__main__":
    main()
