"""Fine-tuning a BERT model on the shop's own products.

data.py (the training set), pairs.py (labelled pairs: read, combine, split), views.py
(self-supervised views of one product), negatives.py (hard negatives), train.py (the
contrastive trainer), weight.py (held-out lists at every hybrid weight, the weight chosen
again), card.py (the saved folder, its model card and the settings it brings), run.py
(the whole job in named phases), settings.py (settings, errors, results), pseudo.py
(optional self-training: confident pairs from the current model's own lists).
"""

from core.finetune.card import ModelDefaults, model_defaults, read_card
from core.finetune.run import check_trainable, finetune
from core.finetune.settings import (
    FinetuneCancelled,
    FinetuneError,
    FinetuneResult,
    FinetuneSettings,
    RetrievalMetrics,
)
from core.finetune.weight import WEIGHT_GRID, ListScore, WeightChoice

__all__ = [
    "WEIGHT_GRID",
    "FinetuneCancelled",
    "FinetuneError",
    "FinetuneResult",
    "FinetuneSettings",
    "ListScore",
    "ModelDefaults",
    "RetrievalMetrics",
    "WeightChoice",
    "check_trainable",
    "finetune",
    "model_defaults",
    "read_card",
]
