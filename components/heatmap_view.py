"""What a heatmap cell's colour means, in the interface language."""

from __future__ import annotations

from components.i18n import t, tr
from core.search.calibration import BANDS_TEXT
from core.search.index import NeighborIndex


def cell_caption(kind: str, index: NeighborIndex) -> str:
    """One sentence per cell kind (core.search.subset.CELL_KINDS); index: the lists' index
    (how their score is made)."""
    if kind == "match":
        return t("Colour = the duplicate score ({how}): high only when two products are very "
                 "similar both ways and each is the other's best candidate; symmetric.",
                 how=index.describe(tr)) + " " + t(BANDS_TEXT)
    if kind == "dense":
        return t("Colour = how alike the two are in meaning alone ({metric} similarity of the "
                 "model's vectors; shared words are not counted).", metric=index.settings.metric)
    return t("Colour = how many words and model numbers the two share, rarer ones counting "
             "more (BM25 weights; 0 = nothing shared, 1 = the same words).")


__all__ = ["cell_caption"]
