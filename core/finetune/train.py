"""Contrastive fine-tuning of a BERT model folder on the shop's own products.

Loss: symmetric multiple-negatives ranking (InfoNCE). For a batch of B
(anchor, positive) pairs, anchor i must pick its positive among all B positives
plus B *hard negatives* (mined from the current model's neighbour lists: a close
product that is not a known match), and positive i must pick anchor i among the
B anchors. Known matches inside a batch are masked, never used as negatives, and a
mined neighbour the current model scores above the pair's own positive is skipped
(more often an unlabelled match than a negative). The word-embedding table stays
frozen: with a few hundred pairs, moving only the rows of tokens seen in training
would pull them away from those of unseen products' tokens.

:func:`finetune` runs the whole job: zero-shot vectors -> validation metrics
before -> mined negatives -> training (full or LoRA via ``peft``, merged before
saving) -> save to a temporary folder -> metrics after, through
:class:`core.embed.encoders.BertEncoder` exactly as at inference -> keep the folder only
when the validation MRR improves. A kept folder holds safetensors weights, the
tokenizer, sentence-transformers pooling/length configs and a model card
(README.md + card.json); its encoder identity differs from the base model's.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from core.embed.encoders import BertEncoder, Progress, check_device, default_device
from core.errors import CatalogSimilarityError
from core.finetune.data import TextPairs, TrainingSet, ValidationSet
from core.search.exact import topk

Cancel = Callable[[], bool]
Status = Callable[[str], None]
KEEP_POLICIES = ("improved", "always")
LORA_TARGETS = ("query", "key", "value", "dense")


class FinetuneError(CatalogSimilarityError):
    """Fine-tuning cannot run with these data or settings."""


class FinetuneCancelled(CatalogSimilarityError):
    """The user cancelled; nothing was saved."""


@dataclass(frozen=True)
class FinetuneSettings:
    """Training choices. Defaults are the recipe measured in bench/finetune_abt_buy.py."""

    epochs: int = 4
    batch_size: int = 32
    learning_rate: float = 1e-4
    warmup: float = 0.1
    scale: float = 20.0
    hard_negatives: bool = True
    mine_depth: int = 10
    filter_negatives: bool = True
    freeze_embeddings: bool = True
    base_mix: float = 0.0
    lora: bool = False
    lora_rank: int = 16
    lora_alpha: int = 32
    max_tokens: int = 128
    valid_fraction: float = 0.1
    k: int = 10
    keep: str = "improved"
    seed: int = 0
    device: str | None = None

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 2:
            raise FinetuneError("epochs must be >= 1 and batch_size >= 2")
        if not 0 < self.learning_rate < 1 or not 0 <= self.warmup < 1:
            raise FinetuneError("learning_rate must be in (0, 1) and warmup in [0, 1)")
        if not 0 <= self.base_mix < 1:
            raise FinetuneError("base_mix must be in [0, 1)")
        if not 0 <= self.valid_fraction < 1:
            raise FinetuneError("valid_fraction must be in [0, 1)")
        if self.keep not in KEEP_POLICIES:
            raise FinetuneError(f"keep must be one of {', '.join(KEEP_POLICIES)}")


@dataclass(frozen=True)
class RetrievalMetrics:
    """Recall@1, Recall@k and MRR (within the top max(k, 100)) over n queries."""

    recall_at_1: float
    recall_at_k: float
    mrr: float
    k: int
    queries: int


@dataclass(frozen=True)
class FinetuneResult:
    """What a fine-tuning job did. folder is None when the model was not kept."""

    before: RetrievalMetrics | None
    after: RetrievalMetrics | None
    kept: bool
    folder: Path | None
    steps: int
    train_seconds: float
    total_seconds: float
    train_pairs: int
    base_model: str
    settings: FinetuneSettings
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def improved(self) -> bool:
        return self.before is not None and self.after is not None and \
            self.after.mrr > self.before.mrr


def retrieval_metrics(queries: np.ndarray, corpus: np.ndarray, corpus_rows: np.ndarray,
                      valid: ValidationSet, *, k: int = 10) -> RetrievalMetrics:
    """Rank corpus rows for each query (its own row excluded).

    queries: (q, d) float32 L2-normalised; corpus: (c, d) the vectors of corpus_rows (c,).
    """
    depth = min(max(k, 100) + 1, len(corpus_rows))
    nb = topk(corpus, depth, queries=queries, exclude_self=False)
    r1 = rk = mrr = 0.0
    for qi, (row, truth) in enumerate(zip(valid.query_rows, valid.truth)):
        ranked = [int(r) for r in corpus_rows[nb.indices[qi]] if r != row]
        rank = next((i for i, r in enumerate(ranked) if r in truth), None)
        if rank is not None:
            r1, rk, mrr = r1 + (rank == 0), rk + (rank < k), mrr + 1.0 / (rank + 1)
    n = max(len(valid), 1)
    return RetrievalMetrics(r1 / n, rk / n, mrr / n, k, len(valid))


def mine_negatives(vectors: np.ndarray, pairs: TextPairs, corpus_rows: np.ndarray,
                   known: dict[int, set[int]], *, rejected: dict[int, set[int]] | None = None,
                   depth: int = 10, filter_above_positive: bool = True) -> np.ndarray:
    """Hard negative candidates per labelled pair: the anchor's known non-matches
    (rejected) when it has any, else its top-depth neighbours in corpus_rows that are
    neither the anchor, its positive, nor a known match. Self-supervised pairs (anchor
    row == positive row) get none: without labels a close neighbour is too often the
    same product. With filter_above_positive, a mined neighbour that the current model
    scores above the anchor's own positive is skipped: it is more often an unlabelled
    match than a true negative.

    vectors: (n, d) vectors of every catalog row. Returns (m, depth) int64 rows, -1 padded.
    """
    rejected = rejected or {}
    out = np.full((len(pairs), depth), -1, dtype=np.int64)
    anchors = np.unique(pairs.anchor_rows[pairs.anchor_rows != pairs.positive_rows])
    if not len(anchors):
        return out
    nb = topk(vectors[corpus_rows], min(depth + 8, len(corpus_rows)),
              queries=vectors[anchors], exclude_self=False)
    lists = {int(a): corpus_rows[nb.indices[i]] for i, a in enumerate(anchors)}
    for i, (a, p) in enumerate(zip(pairs.anchor_rows, pairs.positive_rows)):
        if a == p:
            continue
        bad = known.get(int(a), set()) | {int(a), int(p)}
        ceiling = float(vectors[a] @ vectors[p]) if filter_above_positive else np.inf
        options = sorted(rejected.get(int(a), set()) - bad) or \
            [int(r) for r in lists[int(a)] if int(r) not in bad
             and float(vectors[a] @ vectors[r]) < ceiling]
        out[i, :min(depth, len(options))] = options[:depth]
    return out


def pick_negatives(candidates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random candidate per row of (m, depth) candidates; -1 where there is none."""
    counts = (candidates >= 0).sum(1)
    col = (rng.random(len(candidates)) * np.maximum(counts, 1)).astype(np.int64)
    return np.where(counts > 0, candidates[np.arange(len(candidates)), col], -1)


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


def _batch_masks(a_rows: np.ndarray, p_rows: np.ndarray, n_rows: np.ndarray,
                 known: dict[int, set[int]]):
    """Bool masks, True where a candidate is the same product as, or a known match of,
    the row being scored: (B, B + N) anchors vs positives + negatives, (B, B) back."""
    import torch

    def clash(x: np.ndarray, cands: np.ndarray) -> np.ndarray:
        out = np.zeros((len(x), len(cands)), dtype=bool)
        for i, r in enumerate(x):
            good = known.get(int(r), set()) | {int(r)}
            out[i] = [int(c) in good for c in cands]
        return out

    cands = np.concatenate([p_rows, n_rows])
    fwd = clash(a_rows, cands) | clash(p_rows, cands)
    back = clash(p_rows, a_rows) | clash(a_rows, a_rows)
    diag = np.arange(len(a_rows))
    fwd[diag, diag] = back[diag, diag] = False
    return torch.from_numpy(fwd), torch.from_numpy(back)


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
    """Mutable state of one training run (private to :func:`train_model`)."""

    texts: Sequence[str]
    pairs: TextPairs
    vectors: np.ndarray
    corpus_rows: np.ndarray
    known: dict[int, set[int]]
    rejected: dict[int, set[int]]
    settings: FinetuneSettings
    device: str


def train_model(base: BertEncoder, job: _Job, *, progress: Progress | None = None,
                cancel: Cancel | None = None, status: Status | None = None):
    """Train a copy of base's weights on job.pairs; returns the (merged) model."""
    import torch

    s = job.settings
    torch.manual_seed(s.seed)
    model = _load_trainable(base, s, job.device)
    rng = np.random.default_rng(s.seed)
    m = len(job.pairs)
    per_epoch = -(-m // s.batch_size) - (1 if m % s.batch_size == 1 else 0)
    total = per_epoch * s.epochs
    opt, sched = _optimizer(model, s, total)
    step = 0
    candidates = np.full((m, 1), -1, dtype=np.int64)
    if s.hard_negatives:
        if status:
            status("mining hard negatives from the current neighbour lists")
        candidates = mine_negatives(job.vectors, job.pairs, job.corpus_rows, job.known,
                                    rejected=job.rejected, depth=s.mine_depth,
                                    filter_above_positive=s.filter_negatives)
    for _epoch in range(s.epochs):
        negatives = pick_negatives(candidates, rng)  # a fresh draw every epoch
        order = rng.permutation(m)
        for b in range(per_epoch):
            if cancel is not None and cancel():
                raise FinetuneCancelled("Fine-tuning cancelled; nothing was saved")
            idx = order[b * s.batch_size:(b + 1) * s.batch_size]
            loss = _step_loss(model, base, job, idx, negatives)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            if progress is not None:
                progress(step, total)
    model.eval()
    model = model.merge_and_unload() if s.lora else model
    if s.base_mix > 0:
        mix_base_weights(model, base, s.base_mix)
    return model, step


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


def model_base_name(name: str) -> str:
    """Folder-safe base name: 'all-MiniLM-L6-v2 (bundled)' -> 'all-MiniLM-L6-v2',
    'shop-ft-v3' -> 'shop'."""
    name = re.sub(r"\s*\(bundled\)$", "", str(name)).strip()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name.split("/")[-1]).strip("-.") or "model"
    return re.sub(r"-ft-v\d+$", "", name)


def next_version_folder(models_dir: Path, base_name: str) -> Path:
    """models_dir / f"{base}-ft-v{N}" with N one above the highest existing version."""
    base = model_base_name(base_name)
    found = [int(m.group(1)) for p in models_dir.glob(f"{base}-ft-v*")
             if (m := re.fullmatch(rf"{re.escape(base)}-ft-v(\d+)", p.name))]
    return models_dir / f"{base}-ft-v{max(found, default=0) + 1}"


def save_model_folder(model, base: BertEncoder, folder: Path) -> Path:
    """Weights (safetensors) + tokenizer + pooling/length configs, loadable by BertEncoder."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    base.tokenizer.save_pretrained(folder)
    for name in ("modules.json", "config_sentence_transformers.json"):
        if (base.folder / name).exists():
            shutil.copy2(base.folder / name, folder / name)
    (folder / "sentence_bert_config.json").write_text(json.dumps(
        {"max_seq_length": base.max_tokens, "do_lower_case": False}, indent=2))
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": base.dim,
         "pooling_mode_cls_token": base.pooling == "cls",
         "pooling_mode_mean_tokens": base.pooling == "mean"}, indent=2))
    return folder


def write_card(folder: Path, result: FinetuneResult, data: dict) -> None:
    """card.json (machine-readable) + README.md (what, from what, how well)."""
    card = {"base_model": result.base_model, "created": datetime.now(UTC).isoformat(
        timespec="seconds"), "data": data, "settings": asdict(result.settings),
        "metrics": {"before": asdict(result.before) if result.before else None,
                    "after": asdict(result.after) if result.after else None},
        "steps": result.steps, "train_seconds": round(result.train_seconds, 1)}
    (folder / "card.json").write_text(json.dumps(card, indent=2, default=str))
    lines = [f"# {folder.name}", "", (f"Fine-tuned from **{result.base_model}** with "
             "contrastive learning (in-batch + hard negatives) by catalog-similarity."), "",
             f"- created: {card['created']}", f"- training data: {json.dumps(data)}",
             f"- settings: {json.dumps(card['settings'])}",
             f"- steps: {result.steps} ({result.train_seconds:.0f} s)", ""]
    if result.before and result.after:
        lines += ["| validation | Recall@1 | Recall@k | MRR |", "|---|---|---|---|"]
        for label, m in (("before", result.before), ("after", result.after)):
            lines.append(f"| {label} | {m.recall_at_1:.3f} | {m.recall_at_k:.3f} (k={m.k}) "
                         f"| {m.mrr:.3f} |")
    (folder / "README.md").write_text("\n".join(lines) + "\n")


def _evaluate(encoder: BertEncoder | None, vectors: np.ndarray | None, texts: Sequence[str],
              corpus_rows: np.ndarray, valid: ValidationSet, k: int) -> RetrievalMetrics:
    """Metrics of an encoder (or of given catalog vectors) on the validation set."""
    if vectors is None:
        corpus = encoder.encode([texts[r] for r in corpus_rows])
    else:
        corpus = vectors[corpus_rows]
    queries = encoder.encode(valid.queries) if vectors is None or (valid.query_rows < 0).any() \
        else vectors[valid.query_rows]
    return retrieval_metrics(queries, corpus, corpus_rows, valid, k=k)


def finetune(texts: Sequence[str], data: TrainingSet, *, base_model: str | Path | None = None,
             corpus_rows: np.ndarray | None = None, base_vectors: np.ndarray | None = None,
             settings: FinetuneSettings = FinetuneSettings(), out: Path | None = None,
             models_dir: Path | None = None, progress: Progress | None = None,
             cancel: Cancel | None = None, status: Status | None = None) -> FinetuneResult:
    """Fine-tune base_model on data.train; keep it (in out, or the next versioned folder
    of models_dir) only when the validation MRR improves, or always with keep="always".

    texts: every catalog text (rows); corpus_rows: rows searched at validation and for
    negatives (default all); base_vectors: (n, d) zero-shot vectors of texts, if known.
    Raises FinetuneCancelled when cancel() turns true (checked before every step).
    """
    start = time.perf_counter()
    if len(data.train) < 2:
        raise FinetuneError("Fine-tuning needs at least 2 positive training pairs")
    say = status or (lambda _msg: None)
    device = check_device(settings.device) if settings.device else default_device()
    base = BertEncoder(base_model, device=device)
    settings = replace(settings, max_tokens=min(settings.max_tokens, base.max_tokens))
    target = Path(out) if out else next_version_folder(Path(models_dir or "models"), base.name)
    if target.exists() and any(target.iterdir()):
        raise FinetuneError(f"{target} already exists and is not empty; choose a new folder")
    corpus_rows = np.arange(len(texts)) if corpus_rows is None else np.asarray(corpus_rows)
    if base_vectors is None:
        say("embedding the catalog with the current model")
        base_vectors = base.encode(list(texts))
    valid, k = data.valid, settings.k
    before = _evaluate(base, base_vectors, texts, corpus_rows, valid, k) if valid else None
    job = _Job(texts, data.train, base_vectors, corpus_rows, data.known, data.rejected,
               settings, device)
    say("training")
    t0 = time.perf_counter()
    model, steps = train_model(base, job, progress=progress, cancel=cancel, status=status)
    train_seconds = time.perf_counter() - t0
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save_model_folder(model, base, tmp)
    say("evaluating the new model")
    after = _evaluate(BertEncoder(tmp, device=device), None, texts, corpus_rows, valid, k) \
        if valid else None
    result = FinetuneResult(before, after, False, None, steps, train_seconds, 0.0,
                            len(data.train), base.name, settings)
    if not (settings.keep == "always" or result.improved):
        shutil.rmtree(tmp, ignore_errors=True)
        note = "no validation queries" if valid is None else "validation MRR did not improve"
        return replace(result, total_seconds=time.perf_counter() - start,
                       notes=(f"{note}; the new model was not kept",))
    if target.exists():
        target.rmdir()
    tmp.rename(target)
    result = replace(result, kept=True, folder=target, total_seconds=time.perf_counter() - start)
    write_card(target, result, {**data.description, "train_pairs": len(data.train),
                                "validation_queries": len(valid) if valid else 0})
    return result
