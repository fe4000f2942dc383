"""Widgets of the Fine-tune page: data source, settings, the live job, the results.

The main path is the labelled data and Start; every training setting has the default of
core.finetune.settings.FinetuneSettings and the flag of ``python -m core finetune`` (its
label names it) and sits under "Advanced training settings".
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import pandas as pd
import streamlit as st

from components import state, text
from components.advanced import model_label
from components.finetune_job import READING, FinetuneJob
from components.i18n import N_, labels, t
from components.i18n_core import tr_core
from components.kept_upload import keep, kept_uploader, when_text
from components.resources import workspace_store
from components.text import md
from core.catalog.table import Catalog
from core.embed.models import is_bundled
from core.embed.multilingual import is_multilingual
from core.finetune.card import (
    delete_own_model,
    lists_before_after,
    model_display_name,
    own_models,
    read_card,
    version_name,
)
from core.finetune.data import (
    LabelledPairs,
    TrainingSet,
    build_training_set,
    combine,
    read_pairs,
    review_pairs,
)
from core.finetune.run import check_trainable, start_model
from core.finetune.settings import (
    EPOCHS,
    MULTILINGUAL_EPOCHS,
    NEGATIVE_SOURCES,
    TRAIN_PRECISIONS,
    FinetuneError,
    FinetuneResult,
    FinetuneSettings,
)
from core.workspace import Workspace

DEFAULTS = {f.name: f.default for f in fields(FinetuneSettings)}
SOURCES = (N_("Labelled pairs file"), N_("Review decisions"), N_("Both"))
# core.finetune.weight.WeightChoice.summary_rows' labels, as the lists table shows them.
LIST_ROWS = {"current model": N_("current model"),
             "fine-tuned, current weight": N_("fine-tuned, current weight"),
             "fine-tuned, chosen weight": N_("fine-tuned, chosen weight")}
# components/finetune_job.py's own statuses (the others are core's phases: tr_core).
JOB_STATUS = {"starting": N_("starting"), "cancelling…": N_("cancelling…")}
RATES = (1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 2e-4)
# Fewer held-out products than this and one product changes the figures by 10% or more.
MIN_HELD_OUT = 10


def training_data(catalog: Catalog, valid_fraction: float) -> TrainingSet | None:
    """Data source widgets; returns the training set, or None until there is data."""
    source = st.radio(t("Labelled data"), SOURCES, key="finetune.source", horizontal=True,
                      format_func=labels(SOURCES),
                      help=t("Pairs: a file with left_id,right_id[,label] (1 = same product or "
                           "good neighbour, 0 = not). Review decisions: accepted / rejected "
                           "pairs from the review page."))
    parts: list[LabelledPairs] = []
    if source != "Review decisions":
        upload = kept_uploader(t("Pairs file (CSV, Excel, Parquet)"), "finetune.pairs",
                               types=["csv", "tsv", "txt", "xlsx", "parquet"])
        if upload is not None:
            parts.append(read_pairs(upload.data, catalog, filename=upload.name))
            keep("finetune.pairs", upload)  # it comes back after a reload
    if source != "Labelled pairs file":
        reviews = review_pairs(Workspace.default().db_path, catalog, owner=state.review_owner())
        st.caption(t('{n:,} review decisions for this catalog ({n_positive:,} accepted).',
                     n=len(reviews), n_positive=reviews.n_positive))
        parts.append(reviews)
    ss = st.checkbox(t("Add self-supervised pairs built from the catalog (works without labels)"),
                     key="finetune.self_supervised",
                     help=t("Two views of the same product: its text <-> its description, a "
                          "brand + model-number view, or a noisy copy of its title."))
    pairs = combine(*parts)
    for warning in pairs.warnings:
        text.warning(tr_core(warning))
    if not len(pairs) and not ss and source == "Review decisions":  # no uploader here
        st.info(t("No review decisions for this catalog yet. Accept (a) or reject (x) pairs on "
                  "the Review page, then come back here; or choose a labelled pairs file, or "
                  "tick self-supervised."))
        st.page_link("pages/review.py", label=t("Go to Review"), icon=":material/rule:")
        return None
    if not len(pairs) and not ss:
        st.info(t("Upload a pairs file: one pair of your product ids per row (columns `left_id` "
                  "and `right_id`, or `a` and `b`, or `left` and `right`) and, if you like, a "
                  "label column (`1`, `yes` or `y` = the same product, `0`, `no` or `n` = not). At "
                  "least 2 pairs of the same product; a few hundred teach the model most. Or use "
                  "review decisions, or tick self-supervised."))
        return None
    data = build_training_set(catalog, pairs, self_supervised=ss, valid_fraction=valid_fraction)
    held_out = len(data.valid) if data.valid else 0
    st.caption(t("{train:,} training pairs · {valid:,} held-out validation queries",
                 train=len(data.train), valid=held_out)
               + ("" if pairs.n_positive else t(" (held-out views: a weaker check than labels)")))
    if pairs.n_positive and held_out < MIN_HELD_OUT:
        st.warning(t("Held-out products that will check the new model: {n}. Too few for its "
                     "before/after figures, or the choice to keep it, to mean much. Label more "
                     "pairs of the same product: about {need:,} give {min_held_out} held-out "
                     "products.", n=held_out, need=math.ceil(MIN_HELD_OUT / valid_fraction),
                     min_held_out=MIN_HELD_OUT), icon=":material/warning:")
    return data


START_LABELS = {
    "multilingual": N_("{name}: recommended"),
    "bundled": N_("{name}: trains about twice as fast"),
    "current": N_("The model your lists use now, {name} (tuned further)"),
}


def start_choice(current: str) -> str:
    """Which model the run trains (finetune's start_from): the bundled multilingual one,
    the bundled English one, or (when the lists use another) the current model; the
    default is core.finetune.run.start_model's, or the multilingual one when the current
    model cannot be trained."""
    options = ["multilingual", "bundled"]
    if not (is_bundled(current) or is_multilingual(current)):
        options.append("current")
    default = "multilingual" if is_multilingual(start_model(current)) else "current"
    if default == "current":
        try:
            check_trainable(current)
        except FinetuneError:
            default = "multilingual"
    names = {o: md(model_label(current if o == "current" else o)) for o in options}
    choice = st.radio(t("Model to start from"), options, index=options.index(default),
                      format_func=lambda o: t(START_LABELS[o], name=names[o]),
                      key="finetune.start_from",
                      help=t("Fine-tuning trains a copy of this model; your lists keep using the "
                             "current one until you choose the new model. On two labelled "
                             "catalogs (products never used in training), lists tuned from the "
                             "multilingual model put the right match first for 92.0% and 77.6% "
                             "of products; tuned from the English model, 93.1% and 75.7%; before "
                             "tuning, 91.7% and 72.2%."))
    return current if choice == "current" else choice


def settings_form() -> FinetuneSettings:
    """Training settings (core names and defaults), all technical: the page shows them
    under "Advanced training settings", collapsed (rendered, so values stay set)."""
    st.caption(t("The defaults were measured on labelled catalogs (Abt-Buy, walmart-amazon); "
                 "change them only to experiment. Command line: python -m core finetune."))
    c1, c2, c3 = st.columns(3)
    epochs = c1.number_input(t("Passes over the pairs (--epochs)"), 1, 50, None,
                             key="finetune.epochs",
                             placeholder=t("{m} multilingual, {e} English", m=MULTILINGUAL_EPOCHS,
                                           e=EPOCHS),
                             help=t("Empty: the measured number for the model trained ({m} for "
                                    "the multilingual model, {e} for the English one and "
                                    "others).", m=MULTILINGUAL_EPOCHS, e=EPOCHS))
    rate = c2.select_slider(t("Learning rate (--learning-rate)"), RATES,
                            value=DEFAULTS["learning_rate"], key="finetune.learning_rate",
                            format_func=lambda r: f"{r:g}")
    batch = c3.number_input(t("Pairs per step (--train-batch-size)"), 2, 256,
                            DEFAULTS["batch_size"], key="finetune.batch_size")
    # One under the other, like the checkbox below: in two columns their labels were cut
    # short ("LoRA: train small adapters, merged o…") at 1280 px and less.
    lora = st.checkbox(t("LoRA: train small adapters, merged on save (--lora)"), DEFAULTS["lora"],
                       key="finetune.lora")
    hard = st.checkbox(t("Learn from near misses in the lists (off: --no-hard-negatives)"),
                       DEFAULTS["hard_negatives"], key="finetune.hard_negatives",
                       help=t("Each pair is also shown a close product that is not its match, "
                              "taken from the current neighbour lists"))
    keep = st.checkbox(t("Keep the new model even if its lists are not better (--keep-always)"), False,
                       key="finetune.keep_always")
    valid = st.slider(t("Share of labelled products held out to check the new model (--valid-fraction)"),
                      0.05, 0.5, DEFAULTS["valid_fraction"], 0.05, key="finetune.valid_fraction")
    return FinetuneSettings(epochs=None if epochs is None else int(epochs),
                            learning_rate=float(rate), batch_size=int(batch),
                            lora=bool(lora), hard_negatives=bool(hard),
                            valid_fraction=float(valid),
                            keep="always" if keep else "improved", **_technical_settings())


NEGATIVE_LABELS = {"model": N_("the model's own neighbours"),
                   "lists": N_("the neighbour lists (as fused)")}


def _technical_settings() -> dict:
    """The rest of FinetuneSettings (names of the CLI flags)."""
    c1, c2 = st.columns(2)
    source = c1.selectbox(t("Near misses from (--negatives-from)"), NEGATIVE_SOURCES,
                          index=NEGATIVE_SOURCES.index(DEFAULTS["negatives_from"]),
                          format_func=labels(NEGATIVE_LABELS), key="finetune.negatives_from")
    precision = c2.selectbox(t("Training precision (--train-precision)"), TRAIN_PRECISIONS,
                             index=TRAIN_PRECISIONS.index(DEFAULTS["precision"]),
                             key="finetune.precision",
                             help=t("auto: bf16 where the hardware has bf16 arithmetic, else fp32"))
    keep_weight = st.checkbox(t("Keep today's words-vs-meaning balance (--keep-weight)"), False,
                              key="finetune.keep_weight",
                              help=t("By default the balance of exact words and meaning is chosen "
                                     "again for the new model on the held-out pairs"))
    select = st.checkbox(t("Stop when a pass brings no gain (--select-epoch)"), False,
                         key="finetune.select_epoch",
                         help=t("Check the lists on the held-out pairs after every pass, keep "
                                "the best one and stop when a pass brings no gain"))
    return {"negatives_from": source, "precision": precision, "choose_weight": not keep_weight,
            "select_epoch": select}


def job_panel(job: FinetuneJob) -> None:
    """Live progress + Cancel while the job runs (polled every second), results after."""

    was_running = job.running

    @st.fragment(run_every=1.0 if was_running else None)
    def live() -> None:
        if job.running:
            st.progress(job.fraction, text=progress_text(job))
            st.button(t("Cancel"), key="finetune.cancel", on_click=job.cancel,
                      icon=":material/cancel:")
        elif was_running:  # finished since the last full run: show the results
            st.rerun(scope="app")

    live()
    if job.running:
        return
    if job.interrupted:
        st.warning(t("The fine-tuning run started {when} stopped when the app was restarted; "
                     "nothing was saved. Start it again below.", when=_when(job.started_at)),
                   icon=":material/warning:")
    elif job.error:
        text.error(tr_core(job.error))
    elif job.cancelled:
        st.warning(t("Fine-tuning was cancelled; nothing was saved."))
    elif job.result is not None:
        results(job)


def _when(iso: str | None) -> str:
    """'2026-12-05T10:09:14+00:00' -> '2026-12-05 10:09 UTC' ('?' when unknown), as a kept
    upload's time reads (kept_upload.when_text)."""
    return when_text(iso) if iso else "?"


def progress_text(job: FinetuneJob) -> str:
    """The phase first ("training: epoch 2 of 4"), then the step count while training."""
    steps = ""
    if job.total and job.status.startswith("training"):
        steps = t(" · step {done:,} of {total:,}", done=job.done, total=job.total)
    elif job.total and job.status == READING:
        steps = t(" · {share:.0%} read", share=job.fraction)
    status = t(JOB_STATUS[job.status]) if job.status in JOB_STATUS else tr_core(job.status)
    return t("Fine-tuning (from {model}): {status}", model=md(model_label(job.base_model)),
             status=status) + steps


def lists_table(result: FinetuneResult) -> pd.DataFrame | None:
    """What the lists will be on the held-out queries: the current model at the current
    weight, the new model at the current weight and at its chosen weight."""
    choice = result.weight_choice
    if choice is None:
        return None
    return pd.DataFrame([{t("lists"): t(LIST_ROWS.get(label, label)),
                          t("words vs meaning"): row.weight, **_figures(row)}
                         for label, row in choice.summary_rows()])


def metrics_table(result: FinetuneResult) -> pd.DataFrame:
    rows = []
    for label, m in ((t("before (current model)"), result.before),
                     (t("after (fine-tuned)"), result.after)):
        if m is not None:
            rows.append({t("model"): label, **_figures(m)})
    return pd.DataFrame(rows)


def _figures(m) -> dict[str, float]:
    """The three figures of a row under short headings: five columns fit at 1024 px
    ('match in the first 10' and 'rank score (MRR)' pushed the last one out of sight);
    column_help says each in full."""
    return {t("found first"): round(m.recall_at_1, 3),
            t("in the first {k}", k=m.k): round(m.recall_at_k, 3),
            t("rank score"): round(m.mrr, 3)}


def column_help(frame: pd.DataFrame, k: int) -> dict:
    """Each figure's column with its meaning in full (the header's tooltip)."""
    meanings = {t("found first"): t("The share of held-out products whose first neighbour is "
                                    "their labelled match."),
                t("in the first {k}", k=k): t("The share of held-out products whose labelled "
                                              "match is among their first {k} neighbours.", k=k),
                t("rank score"): t("Mean reciprocal rank (MRR): 1 when the match comes first, "
                                   "1/2 when second, 1/3 when third…, averaged; higher is better."),
                t("words vs meaning"): t("The balance of exact words and meaning the lists use: "
                                         "0 = meaning only, 1 = shared words only.")}
    return {c: st.column_config.NumberColumn(c, help=meanings[c]) for c in frame.columns
            if c in meanings}


def results(job: FinetuneJob) -> None:
    result = job.result
    st.subheader(t("Result"))
    gone = job.gone_reason()  # its figures would describe a model that is not there
    if gone == "deleted":
        st.info(t("{name}, the model the last fine-tuning run made, was deleted; its figures "
                  "are no longer shown.", name=md(version_name(result.folder))),
                icon=":material/delete:")
        return
    if gone == "replaced":
        st.info(t("{name} now holds another model than the one the last fine-tuning run made "
                  "(made again later, or by another session); that run's figures are no "
                  "longer shown.", name=md(version_name(result.folder))),
                icon=":material/swap_horiz:")
        return
    lists = lists_table(result)
    if lists is not None:
        # the count is the same on every row: in the heading, so the figures fit at 1024 px
        st.markdown(t("**The neighbour lists** (on {n:,} held-out products, before and after)",
                      n=result.weight_choice.summary_rows()[0][1].queries))
        st.dataframe(lists, hide_index=True, key="finetune.lists",
                     column_config=column_help(lists, result.weight_choice.before[0].k))
        st.caption(t("Found first = the share of held-out products whose first neighbour is "
                     "their labelled match. Words vs meaning: the new model's balance is {weight:g} "
                     "(today's is {current_weight:g}), chosen on the held-out pairs, saved with the "
                     "model and set when you pick it; the slider under Advanced in the sidebar "
                     "overrides it.", weight=result.weight_choice.weight,
                     current_weight=result.weight_choice.current_weight))
    if result.before is not None:
        st.markdown(t("**The model alone** (meaning only, on {n:,} held-out products)",
                      n=result.before.queries))
        alone = metrics_table(result)
        st.dataframe(alone, hide_index=True, key="finetune.metrics",
                     column_config=column_help(alone, result.before.k))
    st.caption(t("Finished {when}", when=_when(job.finished_at)) + " · "
               + t('{train_pairs:,} pairs · {steps:,} steps (passes over the pairs: {epochs_run}) · '
                   '{train_seconds:.0f} s training', train_pairs=result.train_pairs,
                   steps=result.steps, epochs_run=result.epochs_run,
                   train_seconds=result.train_seconds))
    verdict(result)


def verdict(result: FinetuneResult) -> None:
    """What the run means for the lists, in plain words: the new model is in use, or ready
    to use, or (not better on the held-out products) the current model stays."""
    checked = result.before is not None or result.weight_choice is not None
    if not result.kept:
        if checked:  # figures were made: they said no
            st.warning(t("The new model did not find the held-out products' matches better than "
                         "today's lists, so it was not saved. Your current model stays in use."),
                       icon=":material/warning:")
        else:
            for note in result.notes:
                text.warning(tr_core(note))
        return
    if result.notes:  # how the new model's weight and scores were set: details, not alarms
        with st.expander(t("How the new model's scores were set (technical)")):
            for note in result.notes:
                text.caption(tr_core(note))
    name = md(model_display_name(result.folder))
    if _in_use(result.folder):
        st.success(t("{name} is in use: the lists of every page come from it. Language model "
                     "under Advanced in the sidebar switches back to another model.",
                     name=name), icon=":material/check_circle:")
        return
    if result.improved:
        st.success(t("Saved as {name} in the workspace's models folder; it is now in the Model "
                     "picker of the sidebar.", name=name), icon=":material/check_circle:")
        st.button(t("Use the new model"), key="finetune.use", on_click=state.choose_model,
                  args=(str(result.folder.resolve()),), icon=":material/swap_horiz:")
        return
    st.warning(t("The new model's lists are not better than today's on the held-out products. "
                 "{name} was saved only because you asked to keep it; your current model stays "
                 "in use. Pick it only to try it out.", name=name) if checked else
               t("The new model could not be checked: no labelled products were held out. "
                 "{name} was saved only because you asked to keep it; your current model stays "
                 "in use.", name=name), icon=":material/warning:")
    st.button(t("Use it anyway"), key="finetune.use", on_click=state.choose_model,
              args=(str(result.folder.resolve()),), icon=":material/swap_horiz:")


def _in_use(folder: Path) -> bool:
    """Whether the session's model is this fine-tuned folder (after "Use the new model")."""
    model = state.config().model
    return bool(model) and Path(model).expanduser().resolve() == folder.resolve()


def own_models_panel() -> None:
    """The models this work fine-tuned, each with Delete (asked twice). Models made on the
    command line are everyone's and never offered: a nightly job may use them."""
    models_dir = Workspace.default().models_dir
    mine = own_models(models_dir, state.model_owner()) if models_dir.exists() else []
    if not mine:
        return
    with st.expander(t("Your fine-tuned models ({n})", n=len(mine))):
        names = {str(p): model_display_name(p) for p in mine}
        chosen = st.selectbox(t("Model"), list(names), format_func=names.__getitem__,
                              key="finetune.own_model")
        card = read_card(chosen) or {}
        created = str(card.get("created", "?"))[:16].replace("T", " ")
        st.caption(t("Made {created} UTC from {base}.", created=created,
                     base=md(str(card.get("base_model", "?")))))
        figures = lists_before_after(card)
        if figures is not None:
            st.caption(t("Match found first on its held-out products: {before:.3f} before, "
                         "{after:.3f} with it ({n:,} products).", before=figures[0],
                         after=figures[1], n=figures[2]))
        # the model's name in the label: after a delete the next model's popover is closed
        # (the same label kept it open, one click from deleting the next model)
        with st.popover(t("Delete {name}…", name=md(names[chosen])), icon=":material/delete:"):
            st.write(t("Delete {name}? It cannot be brought back. A nightly job whose settings "
                       "file names it stops working; the lists of this work go back to the "
                       "bundled model if it is in use.", name=md(names[chosen])))
            st.button(t("Delete {name}", name=md(names[chosen])), key="finetune.delete_model",
                      type="primary", on_click=_delete, args=(chosen,))


def _delete(folder: str) -> None:
    """Button callback: delete one of this work's models (the bundled model if in use)."""
    name = model_display_name(folder)  # from its card, while it is there
    try:
        delete_own_model(Path(folder), Workspace.default().models_dir, owner=state.model_owner(),
                         store=workspace_store())
    except FinetuneError as exc:
        state.show_error(exc)
        return
    if _in_use(Path(folder)):
        state.use_bundled_model()
    st.toast(t("{name} was deleted.", name=md(name)),
             icon=":material/delete:")
