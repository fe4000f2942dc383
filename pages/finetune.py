"""Fine-tune: teach the model this shop's products from pairs, reviews or the catalog itself.

Training runs on a background thread of this session (components/finetune_job.py):
a progress bar names the phase (mining, training epoch n of m, saving, validating)
and Cancel stops it within one step.
"""

import streamlit as st

from components import state
from components.embedding import ensure_results
from components.finetune_job import start_job
from components.finetune_panel import job_panel, settings_form, training_data
from components.resources import lexical_index
from components.text import md
from components.widgets import settings_sidebar
from core.errors import CatalogSimilarityError
from core.finetune.run import check_trainable
from core.finetune.settings import FinetuneError
from core.workspace import Workspace

state.init_state()
cfg = settings_sidebar()
cat = state.require_catalog()
st.title("Fine-tune the model")
st.caption(f"Starts from the current model ({md(cfg.model)}) and learns which of your products "
           "are the same or good neighbours. The new model is saved only when its neighbour "
           "lists find the held-out pairs better than the current ones, with the hybrid "
           "weight chosen again for it.")
try:
    check_trainable(cfg.model)
except FinetuneError as exc:
    state.show_error(exc)
    st.button("Use the bundled model (all-MiniLM-L6-v2), which can be fine-tuned",
              key="finetune.use_bundled", on_click=state.use_bundled_model,
              icon=":material/restart_alt:")
    st.stop()
job = state.finetune_job()
busy = job is not None and job.running
with st.expander("Training data and settings", expanded=not busy):
    settings = settings_form()
    try:
        data = training_data(cat, settings.valid_fraction)
    except CatalogSimilarityError as exc:
        state.show_error(exc)
        data = None
    start = st.button("Start fine-tuning", key="finetune.start", type="primary",
                      disabled=data is None or busy, icon=":material/model_training:")
if start and data is not None:
    res = ensure_results(cat, cfg)
    job = start_job(cat.texts, data, base_model=cfg.model, base_vectors=res.vectors,
                    settings=settings, models_dir=Workspace.default().ensure().models_dir,
                    words=lexical_index(cat, res.key, res.vectors, cfg),
                    hybrid_weight=cfg.hybrid_weight, metric=cfg.metric)
    state.set_finetune_job(job)
if job is not None:
    job_panel(job)
