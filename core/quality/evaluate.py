"""Retrieval quality from labelled data, several configurations side by side.

Two kinds of judgements, read by :func:`read_judgements`:

- labelled pairs ``left_id,right_id[,label]`` (label 1 = same/relevant, 0 =
  not; no label column = all relevant): each left product is a query, its
  label-1 right products are the relevant answers;
- query judgements ``query,product_id,grade`` (grade 0 = not relevant, higher
  = more relevant): each free-text query is searched, graded answers score nDCG.

:func:`ranking_metrics` gives Recall@k, precision@k, nDCG@k and MRR;
:func:`coherence` the share of neighbours sharing a column's value (no labels
needed). Nothing here fits anything to the judgements: they are only measured.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.config import Config
from core.errors import CatalogSimilarityError, short_list
from core.figures import safe_label
from core.finetune.pairs import empty_labels, pair_columns, pair_labels
from core.search.channels import Queries
from core.search.index import NeighborIndex

KS = (1, 5, 10)
QUERY_COLUMNS = ("query", "product_id")


@dataclass(frozen=True)
class Judgements:
    """Queries and their graded relevant catalog rows.

    kind: "pairs" (query_rows are catalog rows) or "queries" (query_texts).
    relevant: one {row: grade > 0} per query. skipped: rows whose ids are not
    in the catalog. pairs: (left rows, right rows, labels) of labelled pairs; read: the
    labelled pairs as read, with the rows left out.
    """

    kind: str
    query_rows: tuple[int, ...]
    query_texts: tuple[str, ...]
    relevant: tuple[dict[int, float], ...]
    skipped: int
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    read: PairLabels | None = None

    def __len__(self) -> int:
        return len(self.relevant)


@dataclass(frozen=True, eq=False)
class PairLabels:
    """The labelled pairs of an uploaded table, on catalog rows, and the rows left out.

    left, right: (m,) int64 catalog rows; labels: (m,) int 1 = same product, 0 = different.
    rows: rows in the file. unknown: rows naming an id the catalog lacks (unknown_ids: the
    first five such ids, as written); unlabelled: rows
    whose label cell is empty; itself: rows pairing a product with itself; repeated: rows
    repeating an earlier row's pair and label; conflicting: pairs labelled both same and
    different ("left id / right id"), every row of them left out. not_label: the third
    column when it was not read as labels (core.finetune.pairs.pair_columns).
    """

    left: np.ndarray
    right: np.ndarray
    labels: np.ndarray
    rows: int
    unknown: int = 0
    unlabelled: int = 0
    itself: int = 0
    repeated: int = 0
    conflicting: tuple[str, ...] = ()
    unknown_ids: tuple[str, ...] = ()
    not_label: object | None = None  # a third column read as a note, not labels

    def __len__(self) -> int:
        return len(self.left)

    def left_out(self) -> list[str]:
        """Why rows were left out, one English phrase per reason (the CLI prints them)."""
        reasons = [(self.unknown, "names an id that is not in the catalog",
                    "name an id that is not in the catalog"),
                   (self.unlabelled, "has an empty label", "have an empty label"),
                   (self.itself, "names the same product twice", "name the same product twice"),
                   (self.repeated, "is the same as an earlier row",
                    "are the same as an earlier row")]
        out = [f"{_rows(n)} {one if n == 1 else many}" for n, one, many in reasons if n]
        if self.unknown and self.unknown_ids:
            out[0] += f" (such as {short_list(self.unknown_ids)})"
        if self.conflicting:
            n = len(self.conflicting)
            out.append(f"{n:,} {'pair is' if n == 1 else 'pairs are'} labelled both same and "
                       f"different ({short_list(self.conflicting, 5)})")
        return out


def _rows(n: int) -> str:
    """'1 row', '2 rows' (a labels file often has one bad row)."""
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def labelled_pairs(frame: pd.DataFrame, catalog) -> PairLabels:
    """The left_id,right_id[,label] table on catalog rows; rows that cannot be measured
    (unknown id, empty label, a product with itself, a repeat, labelled both ways) left out
    and counted."""
    found = pair_columns(frame)  # as Fine-tune reads the file
    left_col, right_col, label_col = found.left, found.right, found.label
    left, right = catalog.rows_of(frame[left_col]), catalog.rows_of(frame[right_col])
    known = (left.notna() & right.notna()).to_numpy()
    if not known.any():
        # the left ids, unless they are known and the right ones are not (another shop's)
        shown, who = (right_col, f"the ids in {right_col}") if left.notna().any() \
            else (left_col, "their ids")
        unknown = (f"None of the pairs' ids are in the catalog (columns used: {left_col}, "
                   f"{right_col}; {who}: {short_list(frame[shown].astype(str).head(3))}; "
                   f"the catalog's: {short_list(map(str, catalog.ids[:3]))})")
        raise CatalogSimilarityError(
            f"{unknown}: check the id column mapping (use row numbers if the file holds row "
            "numbers)",
            cli=f"{unknown}: check --id-col (--id-col @row if the file holds row numbers)")
    missing = pd.concat([frame[left_col][left.isna().to_numpy()],
                         frame[right_col][right.isna().to_numpy()]]).astype(str).str.strip()
    cells = frame[label_col] if label_col is not None else None
    empty = np.zeros(len(frame), bool) if cells is None else empty_labels(cells, label_col)
    labels = np.ones(len(frame), np.int64)
    if cells is not None:
        labels[~empty] = pair_labels(cells[~empty], int((~empty).sum()))
    left = left.fillna(-1).to_numpy(dtype=np.int64)
    right = right.fillna(-1).to_numpy(dtype=np.int64)
    itself = known & ~empty & (left == right)
    keep = known & ~empty & ~itself
    pairs = pd.DataFrame({"l": left, "r": right, "y": labels})[keep]
    both = pairs.groupby(["l", "r"])["y"].transform("nunique") > 1
    conflicting = pairs[both].drop_duplicates(["l", "r"])
    repeated = pairs[~both].duplicated()
    pairs = pairs[~both][~repeated]
    return PairLabels(pairs["l"].to_numpy(), pairs["r"].to_numpy(), pairs["y"].to_numpy(),
                      len(frame), int((~known).sum()), int((known & empty).sum()),
                      int(itself.sum()), int(repeated.sum()),
                      tuple(f"{catalog.ids[a]} / {catalog.ids[b]}"
                            for a, b in zip(conflicting["l"], conflicting["r"])),
                      tuple(missing.unique()[:5]), found.not_label)


def _query_judgements(frame: pd.DataFrame, catalog) -> Judgements:
    cols = {c.lower(): c for c in frame.columns}
    grade_col = cols.get("grade") or cols.get("label")
    grades = pd.to_numeric(frame[grade_col], errors="coerce") if grade_col else \
        pd.Series(1.0, index=frame.index)
    if grades.isna().any() or (grades < 0).any():
        raise CatalogSimilarityError("The grade column must hold numbers 0 or more in every row")
    rows = catalog.rows_of(frame[cols["product_id"]])
    queries: dict[str, dict[int, float]] = {}
    for q, r, g in zip(frame[cols["query"]].astype(str), rows, grades):
        if pd.notna(r) and q.strip():
            rel = queries.setdefault(q.strip(), {})
            if g > 0:
                rel[int(r)] = float(g)
    queries = {q: rel for q, rel in queries.items() if rel}
    if not queries:
        raise CatalogSimilarityError("No query has a relevant product (grade > 0) in the catalog")
    return Judgements("queries", (), tuple(queries), tuple(queries.values()),
                      int(rows.isna().sum()))


def read_judgements(frame: pd.DataFrame, catalog) -> Judgements:
    """Labelled pairs or query judgements, matched to the catalog's ids."""
    if {c.lower() for c in frame.columns} >= set(QUERY_COLUMNS):
        return _query_judgements(frame, catalog)
    read = labelled_pairs(frame, catalog)
    relevant: dict[int, dict[int, float]] = {}
    for a, b, y in zip(read.left, read.right, read.labels):
        if y == 1:
            relevant.setdefault(int(a), {})[int(b)] = 1.0
    if not relevant:
        raise CatalogSimilarityError("No labelled pair has label 1: retrieval metrics need "
                                     "at least one relevant pair")
    rows = tuple(sorted(relevant))
    return Judgements("pairs", rows, (), tuple(relevant[r] for r in rows), read.unknown,
                      (read.left, read.right, read.labels), read)


def ranking_metrics(ranked: np.ndarray, relevant: Sequence[dict[int, float]],
                    ks: Sequence[int] = KS) -> dict[str, float]:
    """Mean Recall@k, precision@k, nDCG@k (graded, 2^g - 1 gains) and MRR.

    ranked: (q, K) int rows, best first (-1 = no candidate). MRR counts the
    first relevant row within K. A cut-off given twice is measured once.
    """
    ks = list(dict.fromkeys(ks))
    out = {f"{m}@{k}": 0.0 for k in ks for m in ("recall", "precision", "ndcg")}
    out["mrr"] = 0.0
    if len(relevant) == 0:
        return out
    for row, rel in zip(np.asarray(ranked), relevant):
        gains = np.array([rel.get(int(c), 0.0) for c in row])
        hits = gains > 0
        first = np.flatnonzero(hits)
        out["mrr"] += 1.0 / (first[0] + 1) if len(first) else 0.0
        ideal = np.sort(np.array(list(rel.values())))[::-1]
        for k in ks:
            disc = 1.0 / np.log2(np.arange(2, k + 2))
            dcg = float(((2.0 ** gains[:k] - 1) * disc[:len(gains[:k])]).sum())
            idcg = float(((2.0 ** ideal[:k] - 1) * disc[:len(ideal[:k])]).sum())
            out[f"recall@{k}"] += hits[:k].sum() / len(rel)
            out[f"precision@{k}"] += hits[:k].sum() / k
            out[f"ndcg@{k}"] += dcg / idcg if idcg > 0 else 0.0
    return {name: value / len(relevant) for name, value in out.items()}


def coherence(indices: np.ndarray, values: Sequence[object], k: int | None = None) -> float:
    """Mean share of each product's first k neighbours with its value (empty values skipped)."""
    vals = np.asarray(["" if pd.isna(v) else str(v).strip() for v in values], dtype=object)
    idx = np.asarray(indices)[:, :k] if k else np.asarray(indices)
    keep = vals != ""
    if idx.size == 0 or not keep.any():
        return float("nan")
    same = vals[idx] == vals[:, None]
    return float(same[keep].mean())


def ranked_rows(catalog, vectors: np.ndarray, cfg: Config, judgements: Judgements, depth: int, *,
                encoder=None, index: NeighborIndex | None = None) -> np.ndarray:
    """(q, depth) rows ranked for each judged query under cfg (self excluded for pairs).

    index: the catalog's neighbour index under cfg (built when None).
    """
    index = index or NeighborIndex.build(catalog, vectors, cfg)
    reach = max(100, depth + 1)
    if judgements.kind == "queries":
        if encoder is None:
            raise CatalogSimilarityError("Query judgements need the model to embed the queries")
        texts = list(judgements.query_texts)
        return index.rank(depth, Queries(encoder.encode(texts), texts), depth=reach).indices
    rows = np.asarray(judgements.query_rows, dtype=np.int64)
    texts = [catalog.texts[r] for r in rows]
    nb = index.rank(depth + 1, Queries(vectors[rows], texts), depth=reach)
    out = np.full((len(rows), depth), -1, dtype=np.int64)
    for i, (r, cand) in enumerate(zip(rows, nb.indices)):
        cand = cand[cand != r][:depth]
        out[i, :len(cand)] = cand
    return out


def evaluate(catalog, vectors: np.ndarray, cfg: Config, judgements: Judgements, *,
             ks: Sequence[int] = KS, encoder=None,
             index: NeighborIndex | None = None) -> dict[str, float]:
    """ranking_metrics of cfg on the judgements."""
    ranked = ranked_rows(catalog, vectors, cfg, judgements, max(ks), encoder=encoder,
                         index=index)
    return ranking_metrics(ranked, judgements.relevant, ks)


@dataclass(frozen=True)
class Variant:
    """One configuration to compare, with a short label."""

    label: str
    config: Config


def variants(base: Config, *, weights: Sequence[float] = (), metrics: Sequence[str] = (),
             models: Sequence[str] = (), field_weights: Sequence[dict] = ()) -> list[Variant]:
    """Every combination of the given options over base (an empty option keeps base's)."""
    axes = [weights or [base.hybrid_weight], metrics or [base.metric], models or [base.model],
            field_weights or [base.field_weights]]
    out = []
    for w, metric, model, fw in itertools.product(*axes):
        cfg = base.with_changes(hybrid_weight=float(w), metric=metric, model=model,
                                field_weights=dict(fw))
        label = f"w={w:g} · {metric} · {model}"
        if fw:
            label += " · " + ",".join(f"{k}={v:g}" for k, v in fw.items())
        out.append(Variant(label, cfg))
    return out


def compare(items: Sequence[Variant], measure: Callable[[Config], dict[str, float]]) -> pd.DataFrame:
    """One row per variant: its label and settings, then measure(config)'s figures."""
    rows = []
    for v in items:
        rows.append({"configuration": v.label, "hybrid_weight": v.config.hybrid_weight,
                     "metric": v.config.metric, "model": v.config.model,
                     **{k: round(float(x), 4) for k, x in measure(v.config).items()}})
    return pd.DataFrame(rows)


def comparison_figure(table: pd.DataFrame) -> go.Figure:
    """Grouped bars: one group per figure, one bar per configuration."""
    fixed = {"configuration", "hybrid_weight", "metric", "model"}
    figures = [c for c in table.columns if c not in fixed]
    fig = go.Figure()
    for _, row in table.iterrows():
        fig.add_bar(name=safe_label(row["configuration"], 60), x=figures,
                    y=[row[c] for c in figures])
    # the legend above the bars: beside them it took half of a 1024-pixel page's plot
    fig.update_layout(barmode="group", yaxis_range=[0, 1.02], height=420,
                      margin={"l": 10, "r": 10, "t": 80, "b": 10}, legend_title_text="configuration",
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
                      xaxis_title="measure", yaxis_title="value")
    return fig


__all__ = [
    "KS",
    "Judgements",
    "PairLabels",
    "Variant",
    "coherence",
    "compare",
    "comparison_figure",
    "evaluate",
    "labelled_pairs",
    "ranked_rows",
    "ranking_metrics",
    "read_judgements",
    "variants",
]
