"""A pair model (cross-encoder) trained on the shop's pairs: it reads both titles together.

The bi-encoder scores each product alone and compares vectors; the re-ranker reads
"title A [SEP] title B" in one pass and outputs one logit (same product or not). It
starts from the bundled MiniLM weights (a fresh linear head on [CLS]) and learns with
binary cross-entropy from:

- the training positives, both orders (label 1);
- hard negatives: entries of the anchors' neighbour lists (the pipeline's lists with the
  tuned model) that are not a known match, both orders (label 0); an entry the lists
  score above the anchor's own match is skipped (more often an unlabelled match).

:func:`train_reranker` trains, :class:`Reranker` scores pairs (the mean logit of both
orders), saves itself in a folder and loads back. A measured experiment kept under bench/
(branch issue-16c had it in core/finetune with tests): not used by ``python -m core
finetune`` or the lists; bench/finetune_reranker.py measures it on top of the tuned lists
(valid splits) and its docstring says why it is not integrated.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.errors import ModelLoadError
from core.finetune.train import _autocast, _optimizer  # the fine-tune job's own

RERANKER_DIR = "reranker"
RERANKER_CARD = "reranker.json"


@dataclass(frozen=True)
class RerankerSettings:
    """Training choices of the re-ranker (epochs over the examples, AdamW, linear decay)."""

    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup: float = 0.1
    negatives: int = 4  # hard negatives per training anchor
    max_tokens: int = 64  # the pair's length cap (both titles + 3 special tokens)
    precision: str = "fp32"
    seed: int = 0


@dataclass(frozen=True)
class Examples:
    """Text pairs and labels (1 same product, 0 different)."""

    left: list[str]
    right: list[str]
    label: np.ndarray

    def __len__(self) -> int:
        return len(self.left)


def examples_from(texts: Sequence[str], anchors: np.ndarray, positives: np.ndarray,
                  negatives: np.ndarray) -> Examples:
    """Both orders of each (anchor, positive) pair (1) and of each (anchor, negative)
    pair (0); negatives: (m, n) rows per anchor, -1 padded."""
    pos = [(int(a), int(p)) for a, p in zip(anchors, positives)]
    neg = [(int(a), int(n)) for a, row in zip(anchors, negatives) for n in row if n >= 0]
    pairs = [(x, y, lab) for pairs, lab in ((pos, 1), (neg, 0))
             for a, b in dict.fromkeys(pairs) for x, y in ((a, b), (b, a))]
    return Examples([texts[x] for x, _, _ in pairs], [texts[y] for _, y, _ in pairs],
                    np.array([lab for *_, lab in pairs], dtype=np.float32))


def pair_length_cap(tokenizer, texts: Sequence[str], limit: int = 256, *,
                    sample: int = 5000, seed: int = 0) -> int:
    """Twice the 99th percentile of the catalog's title token lengths + 3, rounded up to 8."""
    rows = np.random.default_rng(seed).permutation(len(texts))[:sample]
    lengths = [len(ids) for ids in tokenizer([str(texts[r])[:2000] for r in rows],
                                             add_special_tokens=False)["input_ids"]]
    one = float(np.percentile(lengths, 99)) if lengths else 8.0
    return int(max(16, min(limit, -(-(2 * one + 3) // 8) * 8)))


class Reranker:
    """A trained pair model and its tokenizer; :meth:`scores` gives one logit per pair."""

    def __init__(self, model, tokenizer, settings: RerankerSettings, device: str = "cpu"):
        self.model, self.tokenizer = model.to(device).eval(), tokenizer
        self.settings, self.device = settings, device

    def _logits(self, left: list[str], right: list[str], batch: int) -> np.ndarray:
        import torch

        out = np.zeros(len(left), dtype=np.float32)
        order = np.argsort([len(a) + len(b) for a, b in zip(left, right)], kind="stable")
        with torch.inference_mode(), _autocast(self.settings.precision, self.device):
            for start in range(0, len(order), batch):
                idx = order[start:start + batch]
                enc = self.tokenizer([left[i] for i in idx], [right[i] for i in idx],
                                     truncation=True, max_length=self.settings.max_tokens,
                                     padding=True, return_tensors="pt").to(self.device)
                out[idx] = self.model(**enc).logits[:, 0].float().cpu().numpy()
        return out

    def scores(self, left: Sequence[str], right: Sequence[str], *,
               batch: int = 64) -> np.ndarray:
        """(p,) float32: the mean logit of (left, right) and (right, left)."""
        if not len(left):
            return np.zeros(0, dtype=np.float32)
        a, b = list(map(str, left)), list(map(str, right))
        return (self._logits(a, b, batch) + self._logits(b, a, batch)) / 2

    def save(self, folder: Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)
        (folder / RERANKER_CARD).write_text(json.dumps(asdict(self.settings), indent=2))
        return folder

    @classmethod
    def load(cls, folder: Path, device: str = "cpu") -> Reranker:
        """The re-ranker saved in folder; ModelLoadError saying what is missing."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        folder = Path(folder)
        card = folder / RERANKER_CARD
        if not card.is_file() or not any(folder.glob("*.safetensors")):
            raise ModelLoadError(f"{folder} is not a re-ranker folder ({RERANKER_CARD} and "
                                 "safetensors weights expected); fine-tune the model again "
                                 "or turn the re-ranker off")
        try:
            settings = RerankerSettings(**json.loads(card.read_text()))
            model = AutoModelForSequenceClassification.from_pretrained(
                str(folder), num_labels=1, use_safetensors=True)
            tokenizer = AutoTokenizer.from_pretrained(str(folder))
        except (OSError, ValueError, TypeError) as exc:
            raise ModelLoadError(f"The re-ranker in {folder} could not be loaded ({exc}); "
                                 "fine-tune the model again or turn the re-ranker off") from None
        return cls(model, tokenizer, settings, device)


def train_reranker(base_folder: Path, examples: Examples, settings: RerankerSettings, *,
                   device: str = "cpu",
                   status: Callable[[str], None] | None = None) -> tuple[Reranker, float]:
    """A cross-encoder from base_folder's weights trained on examples; (re-ranker, seconds)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    t0, say = time.perf_counter(), status or (lambda _m: None)
    torch.manual_seed(settings.seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base_folder), num_labels=1, use_safetensors=True).to(device).train()
    tokenizer = AutoTokenizer.from_pretrained(str(base_folder))
    rng = np.random.default_rng(settings.seed)
    per_epoch = -(-len(examples) // settings.batch_size)
    opt, sched = _optimizer(model, settings, per_epoch * settings.epochs)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for epoch in range(settings.epochs):
        say(f"training the re-ranker: epoch {epoch + 1} of {settings.epochs}")
        order = rng.permutation(len(examples))
        for start in range(0, len(order), settings.batch_size):
            idx = order[start:start + settings.batch_size]
            enc = tokenizer([examples.left[i] for i in idx], [examples.right[i] for i in idx],
                            truncation=True, max_length=settings.max_tokens, padding=True,
                            return_tensors="pt").to(device)
            with _autocast(settings.precision, device):
                logits = model(**enc).logits[:, 0].float()
            loss = loss_fn(logits, torch.from_numpy(examples.label[idx]).to(device))
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
    return Reranker(model, tokenizer, settings, device), time.perf_counter() - t0

