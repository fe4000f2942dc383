"""Building blocks of the Quality pages: label uploads, per-model vectors, pair tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import resources, state, text
from components.advanced import METRIC_NAMES, model_label
from components.embedding import vectors_key
from components.i18n import labels, t
from components.i18n_core import tr_core
from components.kept_upload import keep, kept_uploader
from components.tables import headed, header
from components.text import md
from core.catalog.table import Catalog, read_table
from core.catalog.views import shown_scores
from core.config import Config
from core.embed.store import embed_with_store
from core.errors import CatalogSimilarityError, short_list
from core.finetune.pairs import not_label_note
from core.quality.evaluate import PairLabels, labelled_pairs

LABEL_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet"]


def upload_table(label: str, key: str, help_text: str) -> pd.DataFrame | None:
    """A CSV/Excel/Parquet uploader whose file is kept with the session's work
    (components.kept_upload); a file that cannot be read shows why and gives None."""
    # the types in the label too: the Chinese interface shows the size limit without them
    upload = kept_uploader(label + t(" (CSV, TSV, Excel or Parquet)"), key, types=LABEL_TYPES,
                           help_text=help_text)
    if upload is None:
        return None
    try:
        frame = read_table(upload.data, upload.name).frame
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return None
    keep(key, upload)  # it comes back after a reload, until replaced or removed
    return frame


def read_pairs(frame: pd.DataFrame | None, catalog: Catalog, what: str) -> PairLabels | None:
    """labelled_pairs of an uploaded table, or None after showing why it cannot be used.

    Rows that cannot be measured are left out, and the page says how many and why.
    """
    if frame is None:
        return None
    try:
        pairs = labelled_pairs(frame, catalog)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        return None
    left_out_note(pairs, catalog, what)
    return pairs


def left_out_note(read: PairLabels, catalog: Catalog, what: str) -> None:
    """A warning saying how many rows of a labels file are not measured, and why (and one
    saying that its third column was read as a note, not labels)."""
    if read.not_label is not None:
        text.warning(tr_core(not_label_note(read.not_label)))
    if read.rows == len(read):
        return
    column = catalog.mapping.id_column or t("row numbers")
    reasons = [
        (read.unknown, t("{n:,} rows name an id that is not in the catalog's id column "
                         "({column}), such as {ids}: check those ids, or the id column chosen "
                         "on the Catalog page", n=read.unknown, column=md(column),
                         ids=md(short_list(read.unknown_ids)))),
        (read.unlabelled, t("{n:,} rows have an empty label: write 1 (same product) or 0 "
                            "(different)", n=read.unlabelled)),
        (read.itself, t("{n:,} rows name the same product twice", n=read.itself)),
        (read.repeated, t("{n:,} rows are the same as an earlier row (counted once)",
                          n=read.repeated)),
        (len(read.conflicting), t("{n:,} pairs are labelled both same and different (none of "
                                  "those rows count): {pairs}", n=len(read.conflicting),
                                  pairs=md(short_list(read.conflicting, 5)))),
    ]
    left_out = read.rows - len(read)
    head = t("1 of the {total:,} rows of the {what} is left out:", total=read.rows, what=what) \
        if left_out == 1 else t("{left_out:,} of the {total:,} rows of the {what} are left out:",
                                left_out=left_out, total=read.rows, what=what)
    st.warning(head + "\n" + "".join(f"\n- {why}" for n, why in reasons if n))


def vectors_for(catalog: Catalog, cfg: Config, res: state.Results) -> tuple[object, np.ndarray]:
    """(encoder, vectors) of the catalog under cfg.model; the session's own when it matches."""
    encoder = resources.get_encoder(cfg.model, cfg.precision, cfg.batch_size)
    if vectors_key(catalog, encoder, slot="quality.texts_key") == res.key:
        return encoder, res.vectors
    model = md(cfg.model)  # a folder name such as my_shop_v2: text, not italics
    bar = st.progress(0.0, text=t('Embedding with {model}…', model=model))

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=t('Embedding with {model}: {done:,} / {total:,}',
                                                  model=model, done=done, total=total))

    result = embed_with_store(encoder, catalog.texts, resources.workspace_store(),
                              progress=progress, private=state.private_key())
    bar.empty()
    return encoder, result.vectors


def pairs_table(catalog: Catalog, left: np.ndarray, right: np.ndarray, scores: np.ndarray,
                labels: np.ndarray | None = None) -> pd.DataFrame:
    """One row per pair: both ids and titles, the match score (and the label)."""
    titles = np.asarray(catalog.titles(), dtype=object)
    data = {"left_id": catalog.ids[left], "left_title": titles[left],
            "right_id": catalog.ids[right], "right_title": titles[right],
            "match_score": shown_scores(scores)}
    if labels is not None:
        data["label"] = np.asarray(labels)
    return pd.DataFrame(data)


def plain_comparison(table: pd.DataFrame, current: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the Evaluate comparison as the page shows it, as its chart gets it): the settings in
    the sidebar's words (words vs meaning, how meaning is compared, the model's name), the
    row of the current settings marked, and the measures headed in the interface language;
    the CLI and the saved table keep the setting names (hybrid_weight, metric, model) and
    codes (cosine, bundled)."""
    weights = table["hybrid_weight"].astype(float)
    mine = np.isclose(weights, current.hybrid_weight) & (table["metric"] == current.metric) \
        & (table["model"] == current.model)
    metrics = table["metric"].astype(str).map(labels(METRIC_NAMES))
    models = table["model"].astype(str).map(model_label)
    shown = pd.DataFrame({t("your settings"): np.where(mine, "✓", ""),
                          t("words vs meaning"): weights, t("how meaning is compared"): metrics,
                          t("model"): models}, index=table.index)
    measures = table.drop(columns=["configuration", "hybrid_weight", "metric", "model"],
                          errors="ignore")
    # the legend names what tells the rows apart (all three when nothing does)
    parts = [[f"{t('words vs meaning')} {w:g}" for w in weights], list(metrics), list(models)]
    varying = [p for p in parts if len(set(p)) > 1] or parts
    legend = [" · ".join(names) + (t(" (your settings)") if yours else "")
              for yours, *names in zip(mine, *varying)]
    plotted = table.assign(configuration=legend).rename(  # the bars' names as the table heads
        columns={c: header(c) for c in measures.columns})
    return pd.concat([shown, headed(measures)], axis=1), plotted


def split_note(kind: str) -> None:
    """The statement every Quality page makes about the data it measures on."""
    st.caption(t('Split used: the uploaded {kind} file, all rows. It is only measured — nothing is trained '
                 'or tuned on it. Keep a second labelled file aside to check a threshold chosen here.',
                 kind=kind))
