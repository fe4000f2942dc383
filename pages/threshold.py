"""Thresholds: calibrate the duplicate threshold on labelled pairs (or eyeball score bands)."""

import numpy as np
import streamlit as st

from components import resources, state
from components.embedding import ensure_results
from components.i18n import chart, t
from components.quality_threshold import (
    band_samples,
    category_table,
    labelled_view,
    list_pair_scores,
    save_buttons,
    share_note,
)
from components.quality_widgets import read_pairs, split_note, upload_table
from components.widgets import settings_sidebar
from core.errors import CatalogSimilarityError
from core.quality.threshold import histogram_figure, match_scores
from core.search.calibration import BANDS_TEXT as SCALE_TEXT

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Duplicate threshold"))
res = ensure_results(cat, cfg)
space = resources.scored_index(cat, res.key, res.vectors, cfg)
st.markdown(t("Pairs whose **duplicate score** is at or above the threshold are called "
              "duplicates. It reads like the lists' scores (0 to 1, as on the Neighbours page) and takes "
              "the lower of the two products' scores for each other, so it is high only when they "
              "are very similar both ways and each is the other's best candidate."))
frame = upload_table(t("Labelled pairs (left_id,right_id,label) to calibrate on"),
                     "threshold.upload", t("label 1 = same product, 0 = different"))
holdout = upload_table(t("Optional: a second labelled file to check the threshold on"),
                       "threshold.holdout", t("measured only; the threshold is never chosen on it"))
labelled = read_pairs(frame, cat, t("calibration file"))
holdout = read_pairs(holdout, cat, t("file to check on")) if labelled is not None else None

if labelled is not None:
    left, right, labels = labelled.left, labelled.right, labelled.labels
    split_note(t("calibration pairs"))
    scores = match_scores(space, left, right).match
    try:
        chosen, per_category = labelled_view(cat, cfg, space, left, right, labels, scores,
                                             holdout)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        st.stop()
    listed = list_pair_scores(cat, cfg, res, space)
    share_note(listed[2], chosen, len(listed[0]) // len(cat))
    category_table(per_category)
    save_buttons(cfg, chosen, per_category)
    band_samples(cat, left, right, scores, labels)
else:
    left, right, scores = list_pair_scores(cat, cfg, res, space)
    top = float(np.mean(scores >= 0.95)) if len(scores) else 0.0
    st.info(t("No labels: the histogram shows the duplicate scores of every product's top {k} neighbours "
              "(high only when two products are very similar both ways and each is the other's best "
              "candidate). {SCALE_TEXT} {top:.1%} of these pairs score 0.95 or more: open a few pairs below "
              "before trusting a threshold. Upload labelled pairs to choose one (the Review page downloads "
              "your accept/reject decisions as such a file).", k=len(left) // len(cat),
              SCALE_TEXT=t(SCALE_TEXT), top=top))
    st.plotly_chart(chart(histogram_figure(scores, threshold=cfg.duplicate_threshold)),
                    key="threshold.histogram")
    band_samples(cat, left, right, scores, None)
