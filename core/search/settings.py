"""What shapes a neighbour index: the search settings and the channel registry.

:class:`SearchSettings` is parsed once from a :class:`core.config.Config`;
:data:`CHANNELS` registers each channel with the function giving its weight under
the settings and the function building it (see :mod:`core.search.channels`).
:class:`core.search.index.NeighborIndex` builds the channels whose weight is above 0;
:func:`planned_channels` says which those are without building any.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from core.search.calibration import BUNDLED, Calibration, calibration_for
from core.search.channels import Channel, DenseChannel, LexicalChannel, catalog_index
from core.search.fusion import meaning_words
from core.search.neighbors import check_metric


@dataclass(frozen=True)
class SearchSettings:
    """What shapes candidate pools, parsed once from a :class:`core.config.Config`.

    hybrid_weight: the words-and-model-numbers share of the text score (0 =
    meaning only, 1 = words only); image_weight: the photos' share of the fused
    score (0 = text only, 1 = photos only); field_weights: lexical weight per
    column; index: "auto" | "exact" | "approximate" (dense-only pools); calibration:
    the model's map from fused scores to the 0..1 scores pages show.
    """

    metric: str = "cosine"
    hybrid_weight: float = 0.0
    field_weights: Mapping[str, float] = field(default_factory=dict)
    index: str = "auto"
    image_weight: float = 0.0
    calibration: Calibration = BUNDLED

    @classmethod
    def from_config(cls, cfg: Any) -> SearchSettings:
        return cls(metric=check_metric(cfg.metric), hybrid_weight=float(cfg.hybrid_weight),
                   field_weights=MappingProxyType(dict(cfg.field_weights)), index=cfg.index,
                   image_weight=float(cfg.image_weight),
                   calibration=calibration_for(cfg.model))


@dataclass(frozen=True)
class ChannelSpec:
    """One registered channel: its weight under the settings and how to build it.

    build(catalog, vectors, settings) returns the channel, or None when what it
    reads is missing (no catalog: no words channel).
    """

    name: str
    weight: Callable[[SearchSettings], float]
    build: Callable[[Any, np.ndarray, SearchSettings], Channel | None]
    words: Callable[[SearchSettings], str]  # what the channel reads, for captions


def _lexical(catalog, vectors: np.ndarray, s: SearchSettings) -> Channel | None:
    return None if catalog is None else LexicalChannel(catalog_index(catalog, s.field_weights))


# Summed in this order (dense first): the order of float32 sums is part of the lists.
# The photos channel reads image vectors, which only the caller has: they come
# prebuilt (core.pipeline.neighbor_index(..., images=...)), else there is none.
# The text's share never drops to 0: with photos at 1 ("photos only") a product without a
# photo is listed by its text (the photos channel has no opinion on it), not in an
# arbitrary order, and a product with a photo gets its photo's list (the text then only
# breaks ties).
TEXT_FLOOR = 0.001


def _text_share(s: SearchSettings) -> float:
    return max(1.0 - s.image_weight, TEXT_FLOOR)


CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("dense", lambda s: (1.0 - s.hybrid_weight) * _text_share(s),
                lambda catalog, vectors, s: DenseChannel(vectors, s.metric),
                lambda s: meaning_words(s.metric)),
    ChannelSpec("lexical", lambda s: s.hybrid_weight * _text_share(s), _lexical,
                lambda s: "words and model numbers"),
    ChannelSpec("image", lambda s: s.image_weight, lambda catalog, vectors, s: None,
                lambda s: "photos"),
)
SPECS = {spec.name: spec for spec in CHANNELS}


def planned_channels(settings: SearchSettings | Any) -> tuple[str, ...]:
    """The channels NeighborIndex.build would build for a catalog under settings (weight
    > 0), without building any: for a job that computes one channel elsewhere (core.scale)."""
    s = settings if isinstance(settings, SearchSettings) else SearchSettings.from_config(settings)
    return tuple(spec.name for spec in CHANNELS if spec.weight(s) > 0) or ("dense",)
