"""Text encoders: ``encode(texts) -> (n, d) float32``, L2-normalised.

The interface every encoder offers (:class:`Encoder`, the :data:`Progress` callback)
and the registry that creates one from a model option (:func:`load_encoder`). The
encoders and their parts live in their own modules, re-exported here:

- core.embed.bert: :class:`BertEncoder` (transformers, length-sorted token batches,
  precision and autocast), :func:`token_batches`, PRECISIONS, TOKEN_BUDGET;
- core.embed.models: model options (:func:`resolve_model`, :func:`encoder_kind`, the
  bundled model), model folder settings, device checks;
- core.embed.loading: loading a model through transformers (safetensors only);
- core.embed.multilingual: the bundled 4-bit multilingual-e5-small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from core.embed.bert import PRECISIONS, TOKEN_BUDGET, BertEncoder, token_batches
from core.embed.models import (
    BUNDLED_ALIASES,
    MULTILINGUAL_SUGGESTIONS,
    ModelSettings,
    bundled_model_path,
    check_device,
    default_device,
    encoder_kind,
    resolve_model,
)
from core.errors import ModelLoadError

Progress = Callable[[int, int], None]
# (row positions in the texts given, their vectors (b, dim) float32): one finished batch
OnBatch = Callable[[np.ndarray, np.ndarray], None]


class Encoder(Protocol):
    """What every encoder offers."""

    identity: str
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """texts -> (n, dim) float32, rows L2-normalised. An encoder may also take
        ``on_batch`` (:data:`OnBatch`): each batch's vectors as soon as it is done, so
        the embedding store keeps them while a long call runs (BertEncoder and the
        multilingual encoder do)."""
        ...

    def count_truncated(self, texts: Sequence[str]) -> int:
        """How many texts are longer than the model reads."""
        ...


def _multilingual(model: str | Path | None = None, **options) -> Encoder:
    from core.embed.multilingual import MultilingualEncoder

    return MultilingualEncoder(str(model or "multilingual"), **options)


ENCODER_FACTORIES: dict[str, Callable[..., Encoder]] = {"bert": BertEncoder,
                                                        "multilingual": _multilingual}


def load_encoder(model: str | Path | None = None, *, kind: str | None = None,
                 **options) -> Encoder:
    """Create an encoder from the registry; kind defaults to what the model option names
    ("multilingual" -> the bundled multilingual-e5-small, anything else -> BERT)."""
    kind = kind or encoder_kind(model)
    if kind not in ENCODER_FACTORIES:
        raise ModelLoadError(f"Unknown encoder kind '{kind}'; known: {', '.join(ENCODER_FACTORIES)}")
    return ENCODER_FACTORIES[kind](model, **options)


__all__ = [
    "BUNDLED_ALIASES",
    "ENCODER_FACTORIES",
    "MULTILINGUAL_SUGGESTIONS",
    "PRECISIONS",
    "TOKEN_BUDGET",
    "BertEncoder",
    "Encoder",
    "ModelSettings",
    "OnBatch",
    "Progress",
    "bundled_model_path",
    "check_device",
    "default_device",
    "encoder_kind",
    "load_encoder",
    "resolve_model",
    "token_batches",
]
