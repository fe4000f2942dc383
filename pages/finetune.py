"""Fine-tune: teach the model this shop's products from pairs, reviews or the catalog itself.

Training runs on a background thread of this session (components/finetune_job.py):
a progress bar names the phase (mining, training epoch n of m, saving, validating)
and Cancel stops it within one step. A reload of the page finds the run again. A catalog
the model has not read yet is read on that thread too, so leaving the page meanwhile does
not stop the run.
"""

import streamlit as st

from components import state
from components.advanced import model_label
from components.embedding import background_reader, ready_results
from components.finetune_job import start_job
from components.finetune_panel import (
    job_panel,
    own_models_panel,
    settings_form,
    start_choice,
    training_data,
)
from components.i18n import t
from components.resources import lexical_index, workspace_store
from components.text import md
from components.widgets import settings_sidebar
from core.errors import CatalogSimilarityError
from core.finetune.run import check_trainable
from core.finetune.settings import FinetuneError
from core.workspace import Workspace

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title(t("Fine-tune the model"))
st.caption(t("Teaches a model which of your products are the same or good neighbours, from pairs "
             "you labelled or review decisions. Some labelled products are held out: the new model "
             "is kept only when its neighbour lists find their matches better than the lists "
             "{md} makes today.", md=md(model_label(cfg.model))))
start_from = start_choice(cfg.model)
try:
    check_trainable(start_from)
except FinetuneError as exc:
    state.show_error(exc)
    st.button(t("Use the bundled model (all-MiniLM-L6-v2), which can be fine-tuned"),
              key="finetune.use_bundled", on_click=state.use_bundled_model,
              icon=":material/restart_alt:")
    st.stop()
job = state.finetune_job()
busy = job is not None and job.running
panel = st.container()  # the run, then its result, lead the page (filled below)
source = st.container()  # filled below: it needs the held-out share set under Advanced
with st.expander(t("Advanced training settings")):
    settings = settings_form()
with source:
    try:
        data = training_data(cat, settings.valid_fraction)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        data = None
start = st.button(t("Start fine-tuning"), key="finetune.start", type="primary",
                  disabled=data is None or busy, icon=":material/model_training:")
if start and data is not None:
    # a catalog not read yet is read on the run's thread: leaving the page meanwhile
    # does not stop the run (ready: today's vectors and words, as the lists use them)
    res = ready_results(cat, cfg)
    job = start_job(cat.texts, data, base_model=cfg.model,
                    base_vectors=None if res is None else res.vectors,
                    settings=settings, models_dir=Workspace.default().ensure().models_dir,
                    words=None if res is None else lexical_index(cat, res.key, res.vectors, cfg),
                    prepare=background_reader(cat, cfg) if res is None else None,
                    hybrid_weight=cfg.hybrid_weight, metric=cfg.metric,
                    owner=state.model_owner(), keep=state.finetune_keeper(),
                    model_numbers=cat.model_numbers(), prices=cat.price_evidence(),
                    start_from=start_from, store=workspace_store(),
                    private=state.private_key())
    state.set_finetune_job(job)
if job is not None:
    with panel:
        job_panel(job)
    st.caption(t("Fine-tuning is running: its progress and Cancel are at the top of this page.")
               if job.running else t("The last fine-tuning run is shown at the top of this page."))
own_models_panel()
