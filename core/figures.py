"""Plotly figures built by pure functions and tested by their data.

Hover labels are HTML-escaped: plotly renders a subset of HTML in labels, and
catalog text must always show as text.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from core.errors import close_bidi

MAX_HEATMAP_ITEMS = 300
MAX_LABEL_CHARS = 80


def safe_label(text: object, limit: int = MAX_LABEL_CHARS) -> str:
    """Plain text for a hover label: truncated and HTML-escaped."""
    s = str(text)
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return close_bidi(html.escape(s, quote=False))  # a direction override stays inside


def cluster_order(scores: np.ndarray) -> np.ndarray:
    """Leaf order of average-linkage clustering on (max - score) distances."""
    m = scores.shape[0]
    if m < 3:
        return np.arange(m)
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    dist = scores.max() - scores.astype(np.float64)
    dist = (dist + dist.T) / 2.0
    np.fill_diagonal(dist, 0.0)
    dist = np.maximum(dist, 0.0)
    return leaves_list(linkage(squareform(dist, checks=False), method="average"))


def build_heatmap(scores: np.ndarray, labels: list[str], *, ordered: bool = True,
                  metric: str = "cosine") -> go.Figure:
    """Heatmap of an (m, m) score matrix; rows ordered by clustering.

    Rows and columns are the numbered, escaped labels ("3. title"); hover shows
    both and the score. Hover reads the axis categories, so the figure carries 2m
    strings, not m^2 (300 items: about 1 MB instead of 12 MB). At most
    MAX_TICK_LABELS rows are labelled (every n-th), the columns by number only.
    Raises ValueError over MAX_HEATMAP_ITEMS items: callers cap first.
    """
    m = scores.shape[0]
    if m > MAX_HEATMAP_ITEMS:
        raise ValueError(f"Heatmap capped at {MAX_HEATMAP_ITEMS} items, got {m}")
    order = cluster_order(scores) if ordered else np.arange(m)
    z = scores[np.ix_(order, order)]
    names = [f"{j + 1}. {safe_label(labels[i])}" for j, i in enumerate(order)]
    shown = names[::max(1, -(-m // MAX_TICK_LABELS))]
    # columns: numbers side by side; three-digit ones overlapped at 40 ("105113121...")
    columns = names[::max(1, -(-m // (MAX_TICK_LABELS if m < 100 else MAX_COLUMN_TICKS)))]
    # one colour scale for every heatmap: scores run from 0 to 1 (auto-scaling painted the
    # lowest score of a subset as dark as 0, and all-equal scores on a 0.5-1.5 bar)
    low, high = (float(np.nanmin(z)), float(np.nanmax(z))) if m else (0.0, 1.0)
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=names, colorscale="Viridis", colorbar={"title": {"text": metric}},
        zmin=min(0.0, low), zmax=max(1.0, high),
        hovertemplate="%{y}<br>%{x}<br>score %{z:.2f}<extra></extra>"))
    rows_shown = min(m, MAX_TICK_LABELS)
    fig.update_layout(
        height=max(420, min(900, 18 * rows_shown + 160)),
        yaxis={"autorange": "reversed", "tickvals": shown, "tickfont": {"size": 11},
               "ticktext": [_cut(n, 48) for n in shown]},
        xaxis={"tickvals": columns, "ticktext": [n.split(".", 1)[0] for n in columns],
               "tickangle": 0, "side": "top", "tickfont": {"size": 11}},
        margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


MAX_TICK_LABELS = 40
MAX_COLUMN_TICKS = 15  # from 100 items on (three-digit numbers)


def _cut(label: str, limit: int) -> str:
    """An already escaped label cut to about limit characters (never inside an entity)."""
    if len(label) <= limit:
        return label
    cut = label[:limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def build_map(coords: np.ndarray, hover: list[str], *, color: list | None = None,
              color_name: str = "", ids: list[str] | None = None) -> go.Figure:
    """Scatter of a 2-D (WebGL) or 3-D projection; hover shows the title.

    coords: (m, 2|3). color: m values (categorical strings or numbers) or None.
    customdata carries the catalog row ids so a selection maps back to products.
    """
    dim = coords.shape[1]
    labels = [safe_label(h) for h in hover]
    ids = ids if ids is not None else [str(i) for i in range(len(coords))]
    groups = _color_groups(color, len(coords))
    colors = group_colors(color, [g[0] for g in groups])
    fig = go.Figure()
    for name, members, numeric in groups:
        kw = {"mode": "markers", "name": safe_label(name, 40), "text": [labels[i] for i in members],
                  "customdata": [ids[i] for i in members], "hovertemplate": "%{text}<extra></extra>"}
        marker = {"size": 4 if dim == 3 else 6, "opacity": 0.8}
        if numeric is None and color is not None:
            marker["color"] = colors[name]
        if numeric is not None:
            marker.update(color=numeric, colorscale="Viridis", showscale=True,
                          colorbar={"title": {"text": safe_label(color_name, 30)}})
        if dim == 3:
            fig.add_trace(go.Scatter3d(x=coords[members, 0], y=coords[members, 1],
                                       z=coords[members, 2], marker=marker, **kw))
        else:
            fig.add_trace(go.Scattergl(x=coords[members, 0], y=coords[members, 1],
                                       marker=marker, **kw))
    blank = {"showticklabels": False, "showgrid": False, "zeroline": False, "title": ""}
    # a legend even for one category (plotly hides a lone trace's: 'colour by category' on a
    # one-category catalog showed no colour key at all); numbers have their colour bar
    categorical = color is not None and groups[0][2] is None
    fig.update_layout(height=650, dragmode="lasso" if dim == 2 else "orbit",
                      showlegend=True if categorical else None,
                      legend={"title": {"text": safe_label(color_name, 30)},
                              "itemsizing": "constant"},
                      xaxis=blank, yaxis=blank,  # map positions mean nothing, only closeness
                      scene={"xaxis": blank, "yaxis": blank, "zaxis": blank},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


# 19 clearly different colours (Plotly's Dark24 without its near-black and the two
# shades too close to others), given to the categories by size; "(other)" is grey.
PALETTE = ("#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#B68100", "#750D86",
           "#EB663B", "#511CFB", "#00A08B", "#FC0080", "#6C7C32", "#778AAE", "#862A16",
           "#A777F1", "#1616A7", "#DA60CA", "#0D2A63", "#AF0038")
OTHER_COLOR = "#C8C8C8"


def group_colors(color: list | None, names: list[str]) -> dict[str, str]:
    """A distinct colour per category trace: the largest categories first, grey for other."""
    if color is None:
        return {}
    values, counts = np.unique(np.asarray(color, dtype=object).astype(str), return_counts=True)
    size = dict(zip(values.tolist(), counts.tolist()))
    ranked = sorted((n for n in names if n != "(other)"), key=lambda n: (-size.get(n, 0), n))
    out = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(ranked)}
    out["(other)"] = OTHER_COLOR
    return out


MAX_COLOR_GROUPS = 20


def _color_groups(color: list | None, m: int) -> list[tuple[str, np.ndarray, list | None]]:
    """(legend name, member rows, numeric colours or None) per trace."""
    if color is None:
        return [("products", np.arange(m), None)]
    values = np.asarray(color, dtype=object)
    numeric = _as_numeric(values)
    if numeric is not None:
        return [("products", np.arange(m), numeric.tolist())]
    keys, counts = np.unique(values.astype(str), return_counts=True)
    top = set(keys[np.argsort(-counts, kind="stable")][:MAX_COLOR_GROUPS - 1])
    labels = np.array([v if v in top else "(other)" for v in values.astype(str)], dtype=object)
    names = sorted(set(labels), key=lambda v: (v == "(other)", v))
    return [(n, np.nonzero(labels == n)[0], None) for n in names]


def _as_numeric(values: np.ndarray) -> np.ndarray | None:
    import pandas as pd

    cleaned = pd.Series(values).astype(str).str.replace(r"[$,€£¥\s]", "", regex=True)
    nums = pd.to_numeric(cleaned, errors="coerce")
    if nums.notna().mean() < 0.9 or nums.nunique() <= MAX_COLOR_GROUPS:
        return None
    return nums.to_numpy(dtype=float)
