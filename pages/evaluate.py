"""Evaluate: Recall@k, MRR, nDCG@k, precision@k and coherence, configurations side by side."""

import streamlit as st

from components import state
from components.advanced import METRIC_NAMES
from components.embedding import ensure_results
from components.i18n import chart, labels, t
from components.kept_upload import when_text
from components.quality_widgets import (
    left_out_note,
    plain_comparison,
    split_note,
    upload_table,
    vectors_for,
)
from components.text import md
from components.widgets import settings_sidebar
from core.errors import CatalogSimilarityError
from core.pipeline import candidate_pool
from core.quality.evaluate import (
    coherence,
    compare,
    comparison_figure,
    evaluate,
    read_judgements,
    variants,
)

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Evaluate"))
res = ensure_results(cat, cfg)
st.markdown(t("Upload **labelled pairs** (`left_id,right_id[,label]`) or **query judgements** "
            "(`query,product_id,grade`) to measure retrieval; without labels, measure how "
            "often neighbours share a column's value (category coherence)."))
frame = upload_table(t("Labelled pairs or query judgements"), "evaluate.upload",
                     t("CSV/Excel/Parquet; ids must match the catalog's id column"))
judgements = None
if frame is not None:
    try:
        judgements = read_judgements(frame, cat)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
if judgements is not None:
    read = t("{rows:,} labelled pairs read: measured on the {n:,} products with a labelled match "
             "(pairs labelled 0 take no part in these measures)",
             rows=len(judgements.pairs[0]), n=len(judgements)) if judgements.kind == "pairs" \
        else t("Measured on {n:,} queries with a relevant product", n=len(judgements))
    st.success(read + (t("; {skipped:,} rows with ids not in the catalog skipped",
                    skipped=judgements.skipped) if judgements.skipped and judgements.read is None
                       else ""))
    if judgements.read is not None:
        left_out_note(judgements.read, cat, t("labels file"))
    split_note(t("labels"))

roles = [c for r, c in cat.mapping.roles().items() if r in ("category", "brand")]
left, right = st.columns(2)
columns = left.multiselect(t("Neighbours with the same value, by column"),
                           list(map(str, cat.frame.columns)), default=roles[:1],
                           key="evaluate.coherence", placeholder=t("Choose one or more"),
                           help=t("How often a product's neighbours share its value in these "
                                  "columns (e.g. its category): no labels needed."))
ks = right.multiselect(t("List positions to score (k)"), [1, 3, 5, 10, 20, 50], default=[1, 5, 10],
                       key="evaluate.ks", placeholder=t("Choose one or more"),
                       help=t("Recall@k: is a labelled match among the first k "
                              "of the list? k = 1: in first place."))
weight_options = sorted({0.0, 0.25, 0.5, 0.75, 1.0, float(cfg.hybrid_weight)})
weights = left.multiselect(t("Words-vs-meaning shares to compare"), weight_options,
                           default=sorted({0.0, float(cfg.hybrid_weight), 1.0}),
                           key="evaluate.weights", placeholder=t("Choose one or more"),
                           help=t("0 = meaning only, 1 = words and model numbers only; your "
                                  "current setting is {w:g} (Advanced: hybrid_weight).",
                                  w=cfg.hybrid_weight))
metrics = right.multiselect(t("Similarity measures to compare"),
                            ["cosine", "dot", "euclidean", "manhattan"], default=[cfg.metric],
                            key="evaluate.metrics", format_func=labels(METRIC_NAMES),
                            placeholder=t("Choose one or more"),
                            help=t("How two products' meaning vectors are compared (Advanced: "
                                   "metric); cosine is the default."))
extra = st.text_input(t("Other models to compare (comma-separated ids or folders)"),
                      key="evaluate.models", placeholder=t("e.g. /models/fine-tuned"))
models = [cfg.model, *[m.strip() for m in extra.split(",") if m.strip()]]

if not ks or (judgements is None and not columns):
    st.info(t("Upload labels or choose a column for coherence, and at least one k."))
elif st.button(t("Compare configurations"), type="primary", key="evaluate.run"):
    ks = sorted(ks)

    def measure(c):
        encoder, vectors = vectors_for(cat, c, res)
        out = evaluate(cat, vectors, c, judgements, ks=ks, encoder=encoder) \
            if judgements is not None else {}
        pool = candidate_pool(cat, vectors, c, pool_k=max(ks))
        for col in columns:
            out[f"coherence@{max(ks)}:{col}"] = coherence(pool.indices, cat.column(col), max(ks))
        return out

    try:
        table = compare(variants(cfg, weights=weights, metrics=metrics,
                                 models=list(dict.fromkeys(models))), measure)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        st.stop()
    kept = state.kept_upload("evaluate.upload") if judgements is not None else None
    state.set_last_evaluation(table, cat.identity, kept[0]["name"] if kept else None)

last = state.last_evaluation(cat.identity)  # the last comparison, also after a reload
if last is not None:
    table, when, labels_name = last
    shown, plotted = plain_comparison(table, cfg)
    st.dataframe(shown, hide_index=True, key="evaluate.table")
    st.plotly_chart(chart(comparison_figure(plotted)), key="evaluate.chart")
    st.caption((t("Compared {when} with {name}.", when=when_text(when), name=md(labels_name))
                if labels_name else t("Compared {when}, without labels.", when=when_text(when)))
               + "  \n" + t("Each row is one configuration; ✓ marks your settings (the sidebar's)."))
    st.caption(t("How to read the columns (higher is better): recall@k = the share of labelled matches "
                 "found among the first k products of a list; precision@k = the share of those k "
                 "products that are labelled matches (with one match per product it cannot pass "
                 "1/k); ndcg@k = recall@k that counts a match more the higher it stands; mrr = how "
                 "high the first match stands on average (1 = always first, 0.5 = second); "
                 "coherence = the share of neighbours with the product's value in that column."))
