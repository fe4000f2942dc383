"""Page latency with a 50k-product catalog already embedded (Streamlit AppTest, in process).

    .venv/bin/python bench/perf_pages.py [--n 50000]

The catalog: real walmart + amazon titles, made unique, with category, brand
and price columns. Its vectors are seeded random unit rows written to a fresh
workspace store under the bundled model's identity, so the app reuses them
exactly as after a real embedding (embedding speed is bench/perf_embedding.py).
Times: first render of the neighbours page (top-k pool of every product),
then reruns after changing k, the table filter, the table page, the product
finder and a score band (the rules path, pool unchanged); with ``--rules``
also a ``same category`` rule (first render: a deeper pool) and reruns under
it; the map's first render (UMAP on the capped sample) and a colour change.
Also printed: rows of every table and points of the map sent to the browser,
the load average at each step (the machine is shared) and the process's
resident memory at the end. Run it on old code too (a git worktree) for a
before/after measured the same way.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
from common import ROOT
from perf_embedding import titles


def build_catalog_file(n: int, folder: Path) -> Path:
    base = titles(30_000)
    rng = np.random.default_rng(0)
    names = [f"{base[i % len(base)]} v{i // len(base)}" if i >= len(base) else base[i]
             for i in range(n)]
    frame = pd.DataFrame({
        "sku": [f"SKU{i:07d}" for i in range(n)], "title": names,
        "category": rng.choice([f"cat {c}" for c in range(60)], n),
        "brand": rng.choice([f"brand {b}" for b in range(300)], n),
        "price": np.round(rng.uniform(2, 500, n), 2)})
    path = folder / "catalog.csv"
    frame.to_csv(path, index=False)
    return path


def fill_store(texts: list[str], workspace: Path) -> None:
    from core.embed.encoders import load_encoder
    from core.embed.store import EmbeddingStore, text_hash
    from core.workspace import Workspace

    encoder = load_encoder(None)
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((len(texts), encoder.dim), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store = EmbeddingStore(Workspace(workspace).ensure().db_path)
    store.put(encoder.identity, [text_hash(t) for t in texts], vecs)
    store.close()


def load_into(at, path: Path) -> int:
    from core.catalog.table import build_catalog, field_defaults, read_table
    from core.config import ROW_NUMBERS, Config

    table = read_table(path)
    mapping = field_defaults(table.frame)
    cat = build_catalog(table, mapping, name=path.name)
    cfg = Config(id_column=mapping.id_column or ROW_NUMBERS, text_columns=mapping.text_columns,
                 category_column=mapping.category, brand_column=mapping.brand,
                 price_column=mapping.price)
    at.session_state["catalog.table"] = table
    at.session_state["catalog.catalog"] = cat
    at.session_state["settings.config"] = cfg
    at.session_state["results"] = None
    return len(cat)


def timed(label: str, step) -> None:
    start = time.perf_counter()
    at = step()
    seconds = time.perf_counter() - start
    assert not at.exception, at.exception
    shown = [e.value.shape[0] for e in at.dataframe]
    points = sum(len(trace.text or ()) for chart in at.get("plotly_chart")
                 for trace in _figure(chart).data) if at.get("plotly_chart") else 0
    load = "/".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{label:44s} {seconds:6.2f} s   table rows sent {shown}"
          + (f"   map points sent {points:,}" if points else "") + f"   load {load}", flush=True)


def _figure(chart):
    import json

    import plotly.graph_objects as go

    return go.Figure(json.loads(chart.proto.spec))


def rules_steps(at) -> None:
    """A same-category rule (filter rules search a deeper pool once), then reruns under it."""
    timed("neighbours: rule same=category (deeper pool)",
          lambda: at.multiselect(key="neighbors.rules.same").set_value(["category"]).run())
    timed("neighbours: rerun, same settings (rule on)", lambda: at.run())
    timed("neighbours: k 10 -> 5 (rule on)",
          lambda: at.slider(key="settings.k").set_value(5).run())
    timed("neighbours: filter 'usb' (rule on)",
          lambda: at.text_input(key="neighbors.all.filter").input("usb").run())
    timed("neighbours: table page 2 (rule on)",
          lambda: at.number_input(key="neighbors.all.page").set_value(2).run())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--rules", action="store_true",
                    help="also time reruns under a same-category rule (a deeper pool first)")
    args = ap.parse_args()
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CATSIM_WORKSPACE"] = str(Path(tmp) / "ws")
        path = build_catalog_file(args.n, Path(tmp))
        texts = pd.read_csv(path, dtype=str, keep_default_na=False)["title"].tolist()
        fill_store(texts, Path(tmp) / "ws")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
        at.run()
        print(f"{load_into(at, path):,} products, vectors in the store")
        timed("neighbours: first render (top-k pool)",
              lambda: at.switch_page("pages/neighbors.py").run())
        timed("neighbours: rerun, same settings", lambda: at.run())
        timed("neighbours: k 10 -> 5", lambda: at.slider(key="settings.k").set_value(5).run())
        timed("neighbours: filter 'usb'",
              lambda: at.text_input(key="neighbors.all.filter").input("usb").run())
        timed("neighbours: table page 2",
              lambda: at.number_input(key="neighbors.all.page").set_value(2).run())
        timed("neighbours: k 5 -> 20 (filter on)",
              lambda: at.slider(key="settings.k").set_value(20).run())
        timed("neighbours: clear the filter",
              lambda: at.text_input(key="neighbors.all.filter").input("").run())
        timed("neighbours: table page 3",
              lambda: at.number_input(key="neighbors.all.page").set_value(3).run())
        timed("neighbours: find product 'usb'",
              lambda: at.text_input(key="neighbors.find").input("usb").run())
        timed("neighbours: band duplicate=0.9 (rules path)",
              lambda: at.text_input(key="neighbors.bands.text").input("duplicate=0.9").run())
        timed("neighbours: k 20 -> 10 (rules path)",
              lambda: at.slider(key="settings.k").set_value(10).run())
        timed("neighbours: table page 4 (rules path)",
              lambda: at.number_input(key="neighbors.all.page").set_value(4).run())
        if args.rules:
            rules_steps(at)
        timed("map: first render (UMAP, capped sample)",
              lambda: at.switch_page("pages/map.py").run())
        timed("map: colour by brand",
              lambda: at.selectbox(key="map.color").set_value("brand").run())
        timed("map: rerun", lambda: at.run())
        rss = psutil.Process().memory_info().rss / 1e9
        print(f"server process resident memory: {rss:.2f} GB; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
