"""A fine-tuned model's folder: versioned name, weights, model card, and the settings it
brings with it.

A kept folder holds safetensors weights, the tokenizer, sentence-transformers
pooling/length configs, ``card.json`` (machine-readable) and ``README.md`` (the
model card). ``card.json["config"]`` holds the settings chosen for this model after
training (today the hybrid weight, chosen on held-out pairs): :func:`model_defaults`
reads them, and the app and the CLI use them whenever the model is picked, unless the
user sets the value explicitly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.embed.bert import BertEncoder

CARD = "card.json"


def model_base_name(name: str) -> str:
    """Folder-safe base name: 'all-MiniLM-L6-v2 (bundled)' -> 'all-MiniLM-L6-v2',
    'shop-ft-v3' -> 'shop', 'shop-ft-v3-1a2b3c4d' (a session's folder) -> 'shop'."""
    name = re.sub(r"\s*\(bundled\)$", "", str(name)).strip()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name.split("/")[-1]).strip("-.") or "model"
    return re.sub(r"-ft-v\d+(-[0-9a-f]{8})?$", "", name)


def owner_tag(owner: str) -> str:
    """The 8 hex digits a session's model folders end with (a digest of the owner mark):
    keeps two sessions' folders apart on disk while each numbers its models from v1."""
    return hashlib.sha256(b"model folder|" + owner.encode()).hexdigest()[:8]


def next_version_folder(models_dir: Path, base_name: str, *, owner: str | None = None) -> Path:
    """Where the next fine-tuned model of base_name goes.

    owner None (the command line's shared models): models_dir / f"{base}-ft-v{N}", N one
    above the highest such folder. A session's model (owner set) is numbered among that
    session's own models only, so its first is v1 whatever other sessions made, in a folder
    f"{base}-ft-v{N}-{owner_tag}" that no other session's or shared folder takes; it is
    shown as f"{base}-ft-v{N}" (:func:`version_name`, card.json "name")."""
    base = model_base_name(base_name)
    if owner is None:
        found = [int(m.group(1)) for p in models_dir.glob(f"{base}-ft-v*")
                 if (m := re.fullmatch(rf"{re.escape(base)}-ft-v(\d+)", p.name))]
        return models_dir / f"{base}-ft-v{max(found, default=0) + 1}"
    tag, found = owner_tag(owner), [0]
    for p in models_dir.glob(f"{base}-ft-v*"):  # claimed (empty) folders of runs under way too
        own = re.fullmatch(rf"{re.escape(base)}-ft-v(\d+)-{tag}", p.name)
        shown = own or (model_owner(p) == owner and  # handed over by Start over, or older
                        re.fullmatch(rf"{re.escape(base)}-ft-v(\d+)", model_display_name(p)))
        if shown:
            found.append(int(shown.group(1)))
    version = max(found) + 1
    while (models_dir / f"{base}-ft-v{version}-{tag}").exists():  # never another's folder
        version += 1
    return models_dir / f"{base}-ft-v{version}-{tag}"


def version_name(folder: Path) -> str:
    """The name a new model folder is shown by: a session's folder without its owner tag
    ('shop-ft-v1-1a2b3c4d' -> 'shop-ft-v1'), any other folder's own name."""
    return re.sub(r"(-ft-v\d+)-[0-9a-f]{8}$", r"\1", Path(folder).name)


def model_display_name(model: str | Path) -> str:
    """The name a fine-tuned model goes by in the model picker, on its card and in messages:
    its card.json "name" (a session's model: 'shop-ft-v1', numbered within the session),
    else its folder's name."""
    name = (read_card(model) or {}).get("name")
    return name if isinstance(name, str) and name.strip() else Path(str(model)).name


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


def _metrics_dict(m) -> dict | None:
    return asdict(m) if m is not None else None


def write_card(folder: Path, result, data: dict, *, owner: str | None = None,
               name: str | None = None) -> None:
    """card.json (machine-readable, with the "name" the model is shown by (default: the
    folder's), the "config" this model brings and the "owner" who may use it, None for
    everyone) + README.md."""
    choice = result.weight_choice
    name = name or folder.name
    card = {"name": name, "base_model": result.base_model, "owner": owner,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": data, "settings": asdict(result.settings),
            "metrics": {"before": _metrics_dict(result.before),
                        "after": _metrics_dict(result.after)},
            "pipeline": choice.to_dict() if choice is not None else None,
            "config": dict(result.config),
            "steps": result.steps, "epochs_run": result.epochs_run,
            "train_seconds": round(result.train_seconds, 1), "notes": list(result.notes),
            "phases": {k: round(v, 1) for k, v in result.phase_seconds.items()}}
    (folder / CARD).write_text(json.dumps(card, indent=2, default=str))
    (folder / "README.md").write_text("\n".join(card_lines(name, result, card)) + "\n")


def card_lines(name: str, result, card: dict) -> list[str]:
    """The model card (Markdown) of a kept model."""
    lines = [f"# {name}", "", (f"Fine-tuned from **{result.base_model}** with contrastive "
             "learning (in-batch + hard negatives) by catalog-similarity."), "",
             f"- created: {card['created']}", f"- training data: {json.dumps(card['data'])}",
             f"- settings: {json.dumps(card['settings'])}",
             f"- steps: {result.steps} ({result.train_seconds:.0f} s)",
             f"- settings this model brings: {json.dumps(card['config'])}", ""]
    if result.before and result.after:
        lines += ["| model alone (validation) | Recall@1 | Recall@k | MRR |", "|---|---|---|---|"]
        for label, m in (("before", result.before), ("after", result.after)):
            lines.append(f"| {label} | {m.recall_at_1:.3f} | {m.recall_at_k:.3f} (k={m.k}) "
                         f"| {m.mrr:.3f} |")
        lines.append("")
    if result.weight_choice is not None:
        lines += ["| lists (validation) | hybrid weight | Recall@1 | MRR |", "|---|---|---|---|"]
        for label, row in result.weight_choice.summary_rows():
            lines.append(f"| {label} | {row.weight:g} | {row.recall_at_1:.3f} | {row.mrr:.3f} |")
    return lines


@dataclass(frozen=True)
class ModelDefaults:
    """Settings a model brings (from its card.json "config"); empty for other models.

    hybrid_weight: None when the model has no weight of its own.
    """

    hybrid_weight: float | None = None
    source: str = ""

    def as_config_changes(self) -> dict[str, Any]:
        return {} if self.hybrid_weight is None else {"hybrid_weight": self.hybrid_weight}


def read_card(model: str | Path | None) -> dict | None:
    """card.json of a model folder, or None (bundled, hub id, no card, unreadable)."""
    if not model or str(model).strip().lower() in ("bundled", "default", "minilm"):
        return None
    path = Path(str(model)).expanduser() / CARD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def model_owner(model: str | Path | None) -> str | None:
    """Who may use a fine-tuned model folder (its card.json "owner": the app session that
    made it), or None: everyone (a model made by the CLI or saved before owners, a hub id,
    the bundled model)."""
    owner = (read_card(model) or {}).get("owner")
    return owner if isinstance(owner, str) and owner else None


def hand_over_models(models_dir: Path, old: str, new: str) -> int:
    """Give every model folder of models_dir owned by old to new (the app's Start over
    keeps a session's models its own under its new address); returns how many."""
    moved = 0
    for card_path in sorted(Path(models_dir).glob(f"*/{CARD}")):
        card = read_card(card_path.parent)
        if card is None or card.get("owner") != old:
            continue
        tmp = card_path.with_name(CARD + ".tmp")
        tmp.write_text(json.dumps({**card, "owner": new}, indent=2, default=str))
        tmp.replace(card_path)
        moved += 1
    return moved


def model_defaults(model: str | Path | None) -> ModelDefaults:
    """The settings a fine-tuned model folder brings; ModelDefaults() for any other."""
    card = read_card(model)
    weight = (card or {}).get("config", {}).get("hybrid_weight") \
        if isinstance((card or {}).get("config"), dict) else None
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        return ModelDefaults()
    return ModelDefaults(float(weight), f"chosen for {model_display_name(model)} on held-out "
                         "pairs after fine-tuning")


def own_models(models_dir: Path, owner: str) -> list[Path]:
    """The model folders of models_dir that owner fine-tuned (card.json "owner"), by name."""
    return sorted((p.parent for p in Path(models_dir).glob(f"*/{CARD}")
                   if (p.parent / "config.json").exists() and model_owner(p.parent) == owner),
                  key=lambda p: (model_display_name(p), p.name))


def delete_own_model(folder: Path, models_dir: Path, *, owner: str, store=None) -> None:
    """Delete a model folder of models_dir that owner fine-tuned (the app's Delete). Any
    other folder is refused: a model made on the command line is everyone's, and a
    nightly job may use it. Renamed away first, so no picker lists it half deleted. What
    the model left elsewhere goes with it: its ONNX export and, given the embedding store
    (core.embed.store.EmbeddingStore), its vectors there."""
    from core.finetune.settings import FinetuneError

    folder, root = Path(folder).resolve(), Path(models_dir).resolve()
    if folder.parent != root or folder not in own_models(root, owner):
        raise FinetuneError(f"{folder.name} is not a model fine-tuned in this work; "
                            "it was not deleted")
    model = _encoder_of(folder)
    gone = root / f".{folder.name}.deleted"
    shutil.rmtree(gone, ignore_errors=True)  # left by a delete that was cut short
    folder.rename(gone)
    shutil.rmtree(gone, ignore_errors=True)
    if model is not None:
        from core.embed.onnx import forget_export
        from core.errors import StoreError

        forget_export(model.identity)
        if store is not None:
            with contextlib.suppress(StoreError):  # the folder is gone; rows only cost space
                store.forget(model.model_key)


def _encoder_of(folder: Path) -> BertEncoder | None:
    """A model folder's fp32 encoder, not loaded (its identity keys its ONNX export, its
    model_key every vector of it in the store), None when it does not read as a model."""
    from core.errors import ModelLoadError

    try:
        return BertEncoder(folder, device="cpu", precision="fp32")
    except (ModelLoadError, OSError, ValueError):
        return None


def lists_before_after(card: dict) -> tuple[float, float, int] | None:
    """(Recall@1 of the lists before, after, held-out products) from a card's "pipeline":
    the current model at the weight in use, the new model at its own weight; None when the
    card has no such figures (saved with --keep-weight, or before they were kept)."""
    pipeline = card.get("pipeline")
    if not isinstance(pipeline, dict):
        return None

    def row(side: str, weight) -> dict | None:
        rows = pipeline.get(side)
        return next((r for r in rows if isinstance(r, dict) and r.get("weight") == weight),
                    None) if isinstance(rows, list) else None
    before, after = row("before", pipeline.get("current_weight")), row("after",
                                                                       pipeline.get("weight"))
    try:
        return float(before["recall_at_1"]), float(after["recall_at_1"]), int(after["queries"])
    except (TypeError, KeyError, ValueError):
        return None
