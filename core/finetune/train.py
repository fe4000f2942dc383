"""Contrastive fine-tuning of a BERT model folder on the shop's own products.

Loss: symmetric multiple-negatives ranking (InfoNCE). For a batch of B
(anchor, positive) pairs, anchor i must pick its positive among all B positives
plus B *hard negatives* (mined from the current neighbour lists: a close product
that is not a known match), and positive i must pick anchor i among the B anchors.
Known matches inside a batch are masked, never used as negatives, and a mined
neighbour the current model scores above the pair's own positive is skipped (more
often an unlabelled match than a negative). The word-embedding table stays frozen:
with a few hundred pairs, moving only the rows of tokens seen in training would pull
them away from those of unseen products' tokens.

Speed: texts are cut at a length cap read from the catalog's own token lengths (its
99th percentile, never above ``max_tokens``), and steps run under bf16 autocast where
the hardware has bf16 arithmetic (``precision="auto"``; bench/finetune_abt_buy.py
measures both the speed and that the lists stay as good).

:func:`train_model` is the training loop; :func:`core.finetune.run.finetune` runs
the whole job (validation, weight choice, saving).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.embed.bert import BertEncoder
from core.embed.cpu import bf16_fast
from core.embed.encoders import Progress
from core.finetune.negatives import ListsOf, _batch_masks, mine_negatives, pick_negatives
from core.finetune.pairs import TextPairs
from core.finetune.settings import (
    LORA_TARGETS,
    Cancel,
    FinetuneCancelled,
    FinetuneSettings,
    Status,
)


def length_cap(base: BertEncoder, texts: Sequence[str], limit: int, *,
               sample: int = 20000, seed: int = 0) -> int:
    """Training length cap: the 99th percentile of the catalog's token lengths (on a
    seeded sample of at most ``sample`` texts), rounded up to a multiple of 8, never above
    limit or the model's own maximum, at least 8."""
    limit = min(int(limit), int(base.max_tokens))
    if not len(texts):
        return limit
    rows = np.random.default_rng(seed).permutation(len(texts))[:sample]
    lengths = base.token_lengths([str(texts[r])[: limit * 20] for r in rows])
    return int(max(8, min(limit, -(-np.percentile(lengths, 99) // 8) * 8)))


def _pool(model, enc) -> object:
    import torch

    hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled.float(), p=2, dim=1)


def _embed_sorted(model, tokenizer, texts: list[str], max_tokens: int, device: str, *,
                  chunk: int):
    """(len(texts), d) pooled embeddings with gradients, in input order. Texts are sorted
    by token length and run in chunks padded to their own longest text, which saves
    much of the padding a single batch of short and long titles would cost."""
    import torch

    enc = tokenizer(texts, truncation=True, max_length=max_tokens)
    order = np.argsort([len(ids) for ids in enc["input_ids"]], kind="stable")
    parts = []
    for start in range(0, len(order), chunk):
        idx = order[start:start + chunk]
        batch = tokenizer.pad({k: [enc[k][i] for i in idx] for k in enc},
                              return_tensors="pt")
        parts.append(_pool(model, {k: v.to(device) for k, v in batch.items()}))
    inverse = torch.from_numpy(np.argsort(order)).to(device)
    return torch.cat(parts).index_select(0, inverse)


def encode_with(model, tokenizer, texts: Sequence[str], max_tokens: int, device: str, *,
                chunk: int = 64) -> np.ndarray:
    """(len(texts), d) float32 L2-normalised vectors of a model being trained (no grad)."""
    import torch

    if not len(texts):
        return np.zeros((0, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        return _embed_sorted(model, tokenizer, list(texts), max_tokens, device,
                             chunk=chunk).float().cpu().numpy()


def _batch_loss(model, tokenizer, texts: tuple[list[str], list[str], list[str]],
                masks: tuple, settings: FinetuneSettings, device: str):
    """Symmetric MNR loss of one batch; masks hide known matches (True = not a negative)."""
    import torch

    anchors, positives, negatives = texts
    emb = _embed_sorted(model, tokenizer, anchors + positives + negatives,
                        settings.max_tokens, device, chunk=max(16, len(anchors)))
    b = len(anchors)
    a, p, n = emb[:b], emb[b:2 * b], emb[2 * b:]  # n: (N, d), N = 0 without negatives
    logits = settings.scale * (a @ torch.cat([p, n]).T)
    logits = logits.masked_fill(masks[0].to(device), float("-inf"))
    back = (settings.scale * (p @ a.T)).masked_fill(masks[1].to(device), float("-inf"))
    target = torch.arange(b, device=device)
    ce = torch.nn.functional.cross_entropy
    return (ce(logits, target) + ce(back, target)) / 2


def _load_trainable(base: BertEncoder, settings: FinetuneSettings, device: str):
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(base.folder), use_safetensors=True)
    if settings.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    if settings.lora:
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(r=settings.lora_rank, lora_alpha=settings.lora_alpha,
                            lora_dropout=0.05, target_modules=list(LORA_TARGETS))
        model = get_peft_model(model, config)
    return model.to(device).train()


def _optimizer(model, settings: FinetuneSettings, total: int):
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.01)
    warm = max(1, int(total * settings.warmup))

    def factor(step: int) -> float:
        return (step + 1) / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, factor)


@dataclass
class _Job:
    """Mutable state of one training run (private to :func:`train_model`).

    lists_of: where hard negatives come from (None: the model's own neighbours);
    after_epoch(model, epoch): called after every epoch (validation), may return a
    score: the weights of the best-scoring epoch are the ones returned.
    """

    texts: Sequence[str]
    pairs: TextPairs
    vectors: np.ndarray
    corpus_rows: np.ndarray
    known: dict[int, set[int]]
    rejected: dict[int, set[int]]
    settings: FinetuneSettings
    device: str
    lists_of: ListsOf | None = None
    after_epoch: Callable | None = None


def bf16_supported(device: str) -> bool:
    """bf16 arithmetic in hardware: CUDA with bf16, or a CPU with AVX512-BF16 / AMX."""
    import torch

    if str(device).startswith("cuda"):
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    return bf16_fast()


def train_precision(settings: FinetuneSettings, device: str) -> str:
    """"bf16" or "fp32": what settings.precision means on this device."""
    if settings.precision == "auto":
        return "bf16" if bf16_supported(device) else "fp32"
    return settings.precision


def _autocast(precision: str, device: str):
    import torch

    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast("cuda" if str(device).startswith("cuda") else "cpu",
                          dtype=torch.bfloat16)


def train_model(base: BertEncoder, job: _Job, *, progress: Progress | None = None,
                cancel: Cancel | None = None, status: Status | None = None):
    """Train a copy of base's weights on job.pairs; returns (model, steps, epochs run)."""
    import torch

    s, say = job.settings, status or (lambda _msg: None)
    torch.manual_seed(s.seed)
    model = _load_trainable(base, s, job.device)
    rng = np.random.default_rng(s.seed)
    m = len(job.pairs)
    per_epoch = -(-m // s.batch_size) - (1 if m % s.batch_size == 1 else 0)
    total = per_epoch * s.epochs
    opt, sched = _optimizer(model, s, total)
    candidates = np.full((m, 1), -1, dtype=np.int64)
    if s.hard_negatives:
        say("mining hard negatives from the " + (
            "neighbour lists" if job.lists_of is not None else "model's nearest neighbours"))
        candidates = mine_negatives(job.vectors, job.pairs, job.corpus_rows, job.known,
                                    rejected=job.rejected, depth=s.mine_depth,
                                    filter_above_positive=s.filter_negatives,
                                    lists_of=job.lists_of)
    best = _Best()
    for epoch in range(1, s.epochs + 1):
        say(f"training: epoch {epoch} of {s.epochs}")
        offset = (epoch - 1) * per_epoch

        def step_done(done: int, offset: int = offset) -> None:
            if progress is not None:
                progress(offset + done, total)

        _epoch(model, base, job, candidates, rng, per_epoch, (opt, sched), step_done, cancel)
        if job.after_epoch is not None:
            model.eval()
            best.offer(model, epoch, job.after_epoch(model, epoch))
            model.train()
            if best.stale(epoch):
                say(f"validation stopped improving after epoch {best.epoch}")
                break
    model = best.restore(model)
    model.eval()
    model = model.merge_and_unload() if s.lora else model
    if s.base_mix > 0:
        mix_base_weights(model, base, s.base_mix)
    return model, best.epoch * per_epoch if best.epoch else total, best.epoch or s.epochs


def _epoch(model, base: BertEncoder, job: _Job, candidates: np.ndarray, rng, per_epoch: int,
           optim, progress: Callable[[int], object], cancel: Cancel | None) -> None:
    """One pass over the pairs in a new order, a fresh draw of hard negatives."""
    import torch

    opt, sched = optim
    negatives = pick_negatives(candidates, rng)
    order = rng.permutation(len(job.pairs))
    s = job.settings
    precision = train_precision(s, job.device)
    for b in range(per_epoch):
        if cancel is not None and cancel():
            raise FinetuneCancelled("Fine-tuning cancelled; nothing was saved")
        idx = order[b * s.batch_size:(b + 1) * s.batch_size]
        with _autocast(precision, job.device):
            loss = _step_loss(model, base, job, idx, negatives)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        progress(b + 1)


@dataclass
class _Best:
    """The best epoch so far by validation score (higher is better) and its weights."""

    epoch: int = 0
    score: float = -np.inf
    state: dict | None = None
    patience: int = 1

    def offer(self, model, epoch: int, score: float | None) -> None:
        if score is None:
            self.epoch = epoch
            return
        if score > self.score:
            self.epoch, self.score = epoch, float(score)
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def stale(self, epoch: int) -> bool:
        return self.state is not None and epoch - self.epoch > self.patience

    def restore(self, model):
        if self.state is not None:
            model.load_state_dict(self.state)
        return model


def mix_base_weights(model, base: BertEncoder, share: float) -> None:
    """In place: every weight becomes (1 - share) * tuned + share * base (WiSE-FT style
    interpolation, keeps more of the pretrained model's general knowledge)."""
    import torch
    from transformers import AutoModel

    reference = AutoModel.from_pretrained(str(base.folder), use_safetensors=True).state_dict()
    with torch.no_grad():
        for name, value in model.state_dict().items():
            if name in reference and value.is_floating_point():
                value.mul_(1 - share).add_(reference[name].to(value.device, value.dtype), alpha=share)


def _step_loss(model, base: BertEncoder, job: _Job, idx: np.ndarray, negatives: np.ndarray):
    """Loss of the pairs idx; hard negatives only where one was mined (none without)."""
    pairs = job.pairs
    neg = negatives[idx] if job.settings.hard_negatives else np.zeros(0, dtype=np.int64)
    neg = neg[neg >= 0]
    masks = _batch_masks(pairs.anchor_rows[idx], pairs.positive_rows[idx], neg, job.known)
    texts = ([pairs.anchors[i] for i in idx], [pairs.positives[i] for i in idx],
             [job.texts[r] for r in neg])
    return _batch_loss(model, base.tokenizer, texts, masks, job.settings, job.device)
