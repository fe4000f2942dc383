"""Why two products match: per-field similarity, dense vs lexical, the tokens that matter.

Everything returned is plain data and plain text: highlighted spans are
:class:`Span` records (text + whether it carries a shared token), which the
app renders as text, never as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.config import Config
from core.quality.threshold import match_scores, scoring_space
from core.search.calibration import LEVELS
from core.search.channels import catalog_index, pair_dense
from core.search.evidence_weights import EVIDENCE_WORDS, PAIR_FEATURES
from core.search.fusion import rescale
from core.search.index import NeighborIndex
from core.search.lexical import _CHUNK_RE, _CJK_RE, LexicalIndex, tokenize

TOP_TOKENS = 10


@dataclass(frozen=True)
class TokenShare:
    """A token both products share and its share of their lexical similarity."""

    token: str
    share: float
    contribution: float


@dataclass(frozen=True)
class FieldScore:
    """Similarity of one column's values: dense (None without a model) and lexical."""

    field: str
    left: str
    right: str
    dense: float | None
    lexical: float


@dataclass(frozen=True)
class Span:
    """A piece of a product's text; token is the shared token it carries, if any."""

    text: str
    token: str | None = None


@dataclass(frozen=True)
class PairExplanation:
    """The whole story of one pair of catalog rows.

    dense/lexical/image: raw channel scores; dense_part + lexical_part + image_part +
    evidence_part = fused (each channel rescaled by the left product's anchors, times its
    weight, divided by the weight of the channels that scored the pair: a product without
    a photo is scored by its text alone;
    evidence_part: what the same-product evidence added, see
    :mod:`core.search.evidence`); score: the calibrated 0..1 score, as the left
    product's list and exports show it; match: the duplicate score; evidence:
    (feature, value, contribution) of each evidence feature that changed the score.
    """

    left: int
    right: int
    weight: float
    dense: float
    lexical: float
    dense_part: float
    lexical_part: float
    fused: float
    match: float
    score: float
    fields: tuple[FieldScore, ...]
    tokens: tuple[TokenShare, ...]
    left_spans: tuple[Span, ...]
    right_spans: tuple[Span, ...]
    evidence_part: float = 0.0
    evidence: tuple[tuple[str, float, float], ...] = ()
    image_part: float = 0.0
    image: float | None = None  # raw photo similarity; None: no photos channel or no photo
    image_weight: float = 0.0  # the photos' weight in the fusion (0: photos not in the score)


def token_shares(index: LexicalIndex, a: int, b: int, *, top: int = TOP_TOKENS) -> list[TokenShare]:
    """Shared tokens of rows a and b, by their contribution to the lexical cosine."""
    prod = index.unit[a].multiply(index.unit[b]).tocoo()
    if prod.nnz == 0:
        return []
    total = float(prod.data.sum())
    inverse = index.inverse_vocab()
    order = np.argsort(-prod.data, kind="stable")[:top]
    return [TokenShare(inverse[prod.col[i]], float(prod.data[i] / max(total, 1e-12)),
                       float(prod.data[i])) for i in order]


def _cjk_spans(run: str, tokens: set[str]) -> list[Span]:
    """A run of Chinese (no spaces) cut at its shared words: characters joined by shared
    character pairs are marked together ("[兰芝]雪纱[隔离霜]"); a lone character only
    when it is the whole run."""
    chars = [(tokenize(c) or [c])[0] for c in run]  # as the index reads them (話 -> 话)
    if len(run) == 1:
        return [Span(run, chars[0] if chars[0] in tokens else None)]
    out: list[Span] = []
    start = 0
    for i in range(1, len(run) + 1):
        pair = chars[i - 1] + chars[i] if i < len(run) else ""
        if pair in tokens:
            continue
        first = chars[start] + chars[start + 1] if i - start > 1 else None
        if out and out[-1].token is None and first is None:
            out[-1] = Span(out[-1].text + run[start:i])
        else:
            out.append(Span(run[start:i], first))
        start = i
    return out


def spans(text: str, tokens: set[str]) -> tuple[Span, ...]:
    """The text cut into spans; a chunk whose tokens include a shared one is marked
    (in Chinese, the shared words within the chunk)."""
    out: list[Span] = []
    pos = 0
    for m in _CHUNK_RE.finditer(text):
        if m.start() > pos:
            out.append(Span(text[pos:m.start()]))
        if _CJK_RE.match(m.group()):
            out.extend(_cjk_spans(m.group(), tokens))
        else:
            hit = next((t for t in tokenize(m.group()) if t in tokens), None)
            out.append(Span(m.group(), hit))
        pos = m.end()
    if pos < len(text):
        out.append(Span(text[pos:]))
    return tuple(out)


def plain_highlight(parts: tuple[Span, ...], *, left: str = "[", right: str = "]") -> str:
    """Spans as one plain string with shared chunks bracketed."""
    return "".join(f"{left}{s.text}{right}" if s.token else s.text for s in parts)


def _fields(catalog, cfg: Config) -> list[str]:
    named = [*catalog.mapping.text_columns, *cfg.field_weights]
    named += [c for c in (catalog.mapping.brand, catalog.mapping.model_number) if c]
    return [c for c in dict.fromkeys(named) if c in catalog.frame.columns]


def field_scores(catalog, cfg: Config, a: int, b: int, *, index: LexicalIndex,
                 encoder=None) -> tuple[FieldScore, ...]:
    """Per-column dense and lexical similarity of rows a and b."""
    out = []
    for col in _fields(catalog, cfg):
        va = str(catalog.frame[col].iloc[a])
        vb = str(catalog.frame[col].iloc[b])
        units = index.unit_vectors([va, vb])
        lexical = float(units[0].multiply(units[1]).sum())
        dense = None
        if encoder is not None and va.strip() and vb.strip():
            e = encoder.encode([va, vb])
            dense = float(np.dot(e[0], e[1]) / max(np.linalg.norm(e[0]) * np.linalg.norm(e[1]),
                                                   1e-12))
        out.append(FieldScore(col, va, vb, dense, lexical))
    return tuple(out)


def explain_pair(catalog, vectors: np.ndarray, cfg: Config, a: int, b: int, *,
                 encoder=None, index: LexicalIndex | None = None,
                 space: NeighborIndex | None = None, top: int = TOP_TOKENS) -> PairExplanation:
    """Explain rows a (left) and b (right) of a catalog under cfg.

    space: the catalog's neighbour index (:func:`core.quality.threshold.scoring_space`);
    index: its lexical index when it has none (tokens and fields are always explained);
    encoder: the model, for per-field dense similarity (optional).
    """
    space = space or scoring_space(catalog, vectors, cfg)
    index = index or space.lexical_index or catalog_index(catalog, cfg.field_weights)
    ms = match_scores(space, [a], [b])
    part = _parts(space, ms, a)
    dense = float(pair_dense(vectors[[a]], vectors[[b]], cfg.metric)[0])
    lexical = float(index.unit[a].multiply(index.unit[b]).sum())
    shares = token_shares(index, a, b, top=top)
    shared = {t.token for t in token_shares(index, a, b, top=len(index.vocab))}  # all marked
    d_part, l_part = part.get("dense", 0.0), part.get("lexical", 0.0)
    e_part = 0.0 if ms.change is None else float(ms.change[0])
    photo = float(ms.parts["image"][0]) if "image" in ms.parts else float("nan")
    return PairExplanation(
        a, b, cfg.hybrid_weight, dense, lexical, d_part, l_part, float(ms.fused[0]),
        float(ms.match[0]), float(ms.score[0]),
        field_scores(catalog, cfg, a, b, index=index, encoder=encoder),
        tuple(shares), spans(catalog.texts[a], shared), spans(catalog.texts[b], shared),
        e_part, _evidence(space, ms), part.get("image", 0.0),
        None if np.isnan(photo) else photo, float(space.weights.get("image", 0.0)))


def _parts(space: NeighborIndex, ms, a: int) -> dict[str, float]:
    """Each channel's share of row a's fused score with the pair's right product, as
    core.search.fusion.fuse sums them: a channel with no opinion (NaN: a product without
    a photo) is left out and the others divided by the weight that scored the pair."""
    anc = space.anchors().take(np.array([a]))
    part = {name: w * float(rescale(ms.parts[name], anc.top[name], anc.floor[name])[0])
            for name, w in space.weights.items()}
    seen = sum(w for name, w in space.weights.items() if not np.isnan(part[name]))
    return {name: 0.0 if np.isnan(v) or seen <= 1e-6 else v / seen for name, v in part.items()}


def _evidence(space: NeighborIndex, ms) -> tuple[tuple[str, float, float], ...]:
    """(feature, value, contribution) of the evidence that moved the pair's score: each
    lifting feature's weighted value, then the conflicts the pair has, the first one
    carrying what they held back (a conflict cancels the lift; see evidence_change)."""
    if ms.evidence is None:
        return ()
    x = ms.evidence[0]
    lifts, conflicts = [], []
    for name, w in space.calibration.evidence:
        value = float(x[PAIR_FEATURES.index(name)])
        if name.endswith("_conflict"):
            if value > 0:
                conflicts.append(name)
        elif abs(w * value) >= 5e-4:
            lifts.append((name, value, float(w * value)))
    lift = sum(c for _, _, c in lifts)
    held = min(lift, 0.0) - lift if conflicts else 0.0
    out = (*lifts, *((name, 1.0, held if i == 0 else 0.0) for i, name in enumerate(conflicts)))
    rest = float(ms.change[0]) - lift - held  # the same text is lifted to the top of the map
    return (*out, ("same_text", 1.0, rest)) if rest > 5e-4 else out


TOTAL = "the parts of the score"  # the bar's name
# the parts add up to the fused score, not to the 0..1 score shown above the bar (0.05 of
# parts read as a score of 0.69): the axis says so
PARTS_AXIS = "the parts add up before the score is put on its 0 to 1 scale"


def contribution_figure(e: PairExplanation) -> go.Figure:
    """One stacked bar: the dense part, the lexical part and the evidence of the fused
    score, with a mark where they sum (named in plain words: the page shows it)."""
    fig = go.Figure()
    fig.add_bar(y=[TOTAL], x=[e.dense_part], name="meaning", orientation="h")
    fig.add_bar(y=[TOTAL], x=[e.lexical_part], name="shared words and model numbers",
                orientation="h")
    if e.image is not None:
        fig.add_bar(y=[TOTAL], x=[e.image_part], name="photos", orientation="h")
    if e.evidence:
        fig.add_bar(y=[TOTAL], x=[e.evidence_part], name="same-product evidence",
                    orientation="h")
        # negative evidence stacks left of 0: mark where the sum lands
        fig.add_scatter(y=[TOTAL], x=[e.fused], name="the total",
                        mode="markers", marker={"symbol": "line-ns-open", "size": 36,
                                                "line": {"width": 3}, "color": "#222"})
    text = e.dense_part + e.lexical_part + e.image_part
    low = min(0.0, e.fused, text, e.evidence_part)
    high = max(1.0, e.fused, text)
    fig.update_layout(barmode="relative", height=180, xaxis_range=[low, high],
                      xaxis_title={"text": PARTS_AXIS, "font": {"size": 12}},
                      margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def token_frame(e: PairExplanation) -> pd.DataFrame:
    return pd.DataFrame({"shared token": [t.token for t in e.tokens],
                         "share of lexical similarity": [round(t.share, 3) for t in e.tokens]})


# what a conflict did: it cancels what the rest of the evidence added, nothing more (a
# variant stays where its meaning and words put it), so on a pair nothing lifted its effect
# is 0, which read as "the different model numbers were ignored"
HELD_BACK = "held back what the rest of the evidence added"
NOTHING_HELD = ("nothing to hold back: the rest of the evidence did not raise the score, so it "
                "cannot read as the same product anyway")


def evidence_notes(e: PairExplanation) -> list[str]:
    """Per evidence row of e: what a conflict did (HELD_BACK or NOTHING_HELD; the first
    conflict carries the effect, the others share it), "" for the rest."""
    conflicts = [c for n, _, c in e.evidence if n.endswith("_conflict")]
    note = HELD_BACK if any(c < -5e-4 for c in conflicts) else NOTHING_HELD
    return [note if n.endswith("_conflict") else "" for n, _, _ in e.evidence]


def evidence_frame(e: PairExplanation) -> pd.DataFrame:
    """What the same-product evidence says about the pair, in plain words; "what it did"
    says what each conflict did (evidence_notes)."""
    return pd.DataFrame({"evidence": [EVIDENCE_WORDS[n] for n, _, _ in e.evidence],
                         "effect on the score": [round(c, 3) for _, _, c in e.evidence],
                         "what it did": evidence_notes(e)})


def field_frame(e: PairExplanation) -> pd.DataFrame:
    return pd.DataFrame({"field": [f.field for f in e.fields],
                         "first": [f.left for f in e.fields],
                         "second": [f.right for f in e.fields],
                         "dense": [None if f.dense is None else round(f.dense, 3)
                                   for f in e.fields],
                         "lexical": [round(f.lexical, 3) for f in e.fields]})


SCORE_WORDS = ((LEVELS[3], "the same product"), (LEVELS[2], "probably the same product or a variant"),
               (LEVELS[1], "a close substitute or a similar product"), (LEVELS[0], "loosely related"))


def score_words(score: float) -> str:
    """What a 0..1 list score reads as, in the words of core.search.calibration.BANDS_TEXT."""
    return next(words for low, words in SCORE_WORDS if score >= low)


def explanation_lines(catalog, e: PairExplanation) -> list[str]:
    """A plain-text report (CLI), in the words the Explain page uses: the 0..1 score of the
    lists, the meaning part and the words part, same-product evidence; the raw channel
    figures last, marked for analysts."""
    lines = [f"left:  {catalog.ids[e.left]}  {plain_highlight(e.left_spans)}",
             f"right: {catalog.ids[e.right]}  {plain_highlight(e.right_spans)}",
             "(shared words and model numbers are marked [ ])",
             f"score {e.score:.3f}: {score_words(e.score)} (the right product in the left "
             "one's list, as the lists and exports show it; 0 = unrelated, 1 = the same text"
             + (" and the same photo)" if e.image_weight else ")"),
             f"duplicate score {e.match:.3f} (what duplicate thresholds apply to: high only "
             "when the two are very similar both ways)",
             "what makes the score, before it is put on its 0 to 1 scale: meaning "
             f"{e.dense_part:.3f} + words and model numbers {e.lexical_part:.3f}"
             + (f" + photos {e.image_part:.3f}" if e.image is not None else "")
             + (f" + same-product evidence {e.evidence_part:+.3f}" if e.evidence else "")]
    if e.image is not None:
        lines.append(f"photos: the two photos' similarity is {e.image:.3f} (photo weight "
                     f"{e.image_weight:g})")
    elif e.image_weight:
        lines.append("photos: one of the two has no usable photo; scored by the text alone")
    for (name, _, contribution), note in zip(e.evidence, evidence_notes(e)):
        lines.append(f"same-product evidence: {EVIDENCE_WORDS[name]} ({contribution:+.3f})"
                     + (f": {note}" if note else ""))
    for f in e.fields:
        meaning = "-" if f.dense is None else f"{f.dense:.3f}"
        lines.append(f"field {f.field}: meaning {meaning}, words {f.lexical:.3f}")
    if e.tokens:
        lines.append("shared words that matter most: "
                     + ", ".join(f"{t.token} ({t.share:.0%})" for t in e.tokens))
    else:
        lines.append("shared words: none (the match rests on meaning alone)")
    lines.append(f"for analysts: fused {e.fused:.3f} (words weight {e.weight:g}); raw meaning "
                 f"similarity {e.dense:.3f}, raw words similarity {e.lexical:.3f}")
    return lines


__all__ = [
    "FieldScore",
    "PairExplanation",
    "Span",
    "TokenShare",
    "evidence_frame",
    "evidence_notes",
    "explain_pair",
    "explanation_lines",
    "field_scores",
    "plain_highlight",
    "score_words",
    "spans",
    "token_shares",
]
