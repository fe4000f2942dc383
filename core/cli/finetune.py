"""``python -m core finetune``: fine-tune the current model on the catalog's own products.

    python -m core finetune CATALOG --pairs PAIRS.csv [--out FOLDER] [--id-col C]
        [--text-cols A,B] [--start-from MODEL] [--epochs N] [--lora] [--self-supervised] [--reviews]
        [--confident-pairs N [--confident-threshold T]]

Training data: labelled pairs (``left_id,right_id[,label]``), review decisions
from the workspace (--reviews) and/or self-supervised views of the catalog. The
new model is written to --out, or to the next versioned folder of the
workspace's models/ directory, only when the held-out lists improve (unless
--keep-always). With --session KEY (the app session whose review decisions --reviews
reads) the model is that session's, as if fine-tuned in its app: numbered among its
models and listed in its model picker only; without it the model is everyone's. The
progress line names the phase (mining, training: epoch n of m, saving, validating).
After training the hybrid weight is chosen again on the held-out pairs and saved with
the model: ``--model FOLDER`` on any other command uses it unless ``--hybrid-weight``
(or a configuration file) sets one.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from core.cli.common import (
    CATALOG_HELP,
    Progress,
    add_catalog_options,
    config_from_args,
    load_catalog_from_args,
    review_owner,
    say_price_note,
    vectors_from_args,
    with_language,
    workspace_db,
)
from core.errors import CatalogSimilarityError, ConfigError, ModelLoadError, StoreError, cli_text
from core.finetune.card import model_display_name
from core.finetune.data import build_training_set
from core.finetune.pairs import LabelledPairs, combine, read_pairs, review_pairs
from core.finetune.settings import (
    EPOCHS,
    MULTILINGUAL_EPOCHS,
    NEGATIVE_SOURCES,
    TRAIN_PRECISIONS,
    FinetuneError,
    FinetuneResult,
    FinetuneSettings,
)
from core.workspace import Workspace, session_model_owner

_DEFAULTS = {f.name: f.default for f in fields(FinetuneSettings)}


def register(sub) -> dict:
    """Add the ``finetune`` sub-command; returns {name: handler}."""
    p = sub.add_parser("finetune", help="fine-tune the model on labelled pairs, review "
                       "decisions or the catalog itself")
    p.add_argument("catalog", help=CATALOG_HELP)
    p.add_argument("--pairs", help="labelled pairs file (CSV, Excel, Parquet): two id columns "
                   "(left_id,right_id; also a,b or left,right) and an optional label column "
                   "(label/match: 1/0, yes/no, y/n, 是/否; no label = the same product)")
    p.add_argument("--reviews", action="store_true",
                   help="also train on accepted/rejected review decisions in the workspace")
    p.add_argument("--self-supervised", action="store_true",
                   help="add pairs built from the catalog itself (works without labels)")
    p.add_argument("--start-from", metavar="MODEL",
                   help="the model to train: 'multilingual' (the bundled multilingual-e5-small, "
                   "English and Chinese; the default when the lists use a bundled model; "
                   "README, Fine-tuning, has the figures), 'bundled' (all-MiniLM-L6-v2, English; trains "
                   "about twice as fast), 'current' (the model the lists use), or a model folder "
                   "or Hugging Face id; default: a tuned or chosen model is tuned further")
    p.add_argument("--out", help="new model folder (default: workspace/models/<base>-ft-vN; "
                   "with --session, that session's own next version)")
    p.add_argument("--epochs", type=int, default=_DEFAULTS["epochs"],
                   help=f"passes over the pairs (default: {MULTILINGUAL_EPOCHS} for the "
                   f"multilingual model, {EPOCHS} for others, as measured)")
    p.add_argument("--learning-rate", type=float, default=_DEFAULTS["learning_rate"],
                   help="default %(default)g")
    p.add_argument("--train-batch-size", type=int, default=_DEFAULTS["batch_size"],
                   help="pairs per training step (default %(default)s; --batch-size is the "
                   "model's batch when it embeds the catalog)")
    p.add_argument("--lora", action="store_true", help="train LoRA adapters (merged on save)")
    p.add_argument("--no-hard-negatives", action="store_true",
                   help="in-batch negatives only (no mined hard negatives)")
    p.add_argument("--negatives-from", choices=NEGATIVE_SOURCES, default=_DEFAULTS["negatives_from"],
                   help="hard negatives from the model's own nearest neighbours (model, "
                   "default) or from the neighbour lists as they are shown (lists)")
    p.add_argument("--train-precision", choices=TRAIN_PRECISIONS, default=_DEFAULTS["precision"],
                   help="auto (default): bf16 autocast where the hardware has bf16, else fp32")
    p.add_argument("--select-epoch", action="store_true",
                   help="validate the lists after every epoch, keep the best epoch and stop when "
                   "an epoch brings no gain (one catalog embedding per epoch)")
    p.add_argument("--confident-pairs", type=int, default=_DEFAULTS["pseudo_pairs"],
                   metavar="N", help="self-training: also train on up to N pairs the current "
                   "model's lists are confident about (each the other's first entry, score >= "
                   "--confident-threshold; held-out products never used); 0 = off (on the shared "
                   "catalogs it did not improve the lists: bench/finetune_abt_buy.py)")
    p.add_argument("--confident-threshold", type=float, default=_DEFAULTS["pseudo_threshold"],
                   help="lowest 0..1 list score of a confident pair (default %(default)s)")
    p.add_argument("--keep-weight", action="store_true",
                   help="do not choose the hybrid weight again for the new model")
    p.add_argument("--valid-fraction", type=float, default=_DEFAULTS["valid_fraction"],
                   help="share of the labelled products held out to check the new model "
                   "(default %(default)s)")
    p.add_argument("--keep-always", action="store_true",
                   help="save the new model even when validation does not improve")
    p.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: CUDA when present)")
    add_catalog_options(p, lists=False)  # it trains on texts; --index etc. do not apply
    return {"finetune": cmd_finetune}


# The flag of each numeric training setting, to name it in an error.
SETTING_FLAGS = {"epochs": "--epochs", "batch_size": "--train-batch-size",
                 "learning_rate": "--learning-rate", "valid_fraction": "--valid-fraction",
                 "pseudo_pairs": "--confident-pairs", "pseudo_threshold": "--confident-threshold"}


def settings_from_args(args: argparse.Namespace) -> FinetuneSettings:
    """The training settings of the flags; a value out of range is an error naming its flag
    (it said 'valid_fraction must be in [0, 1)', which is no flag's name)."""
    values = {"epochs": args.epochs, "learning_rate": args.learning_rate,
              "batch_size": args.train_batch_size, "valid_fraction": args.valid_fraction,
              "pseudo_pairs": args.confident_pairs,
              "pseudo_threshold": args.confident_threshold}
    for key, flag in SETTING_FLAGS.items():  # each alone, so that an error names its flag
        try:
            FinetuneSettings(**{key: values[key]})
        except FinetuneError as exc:
            raise FinetuneError(f"{flag} {values[key]:g}: {cli_text(exc)}") from None
    return FinetuneSettings(**values, lora=args.lora, hard_negatives=not args.no_hard_negatives,
                            negatives_from=args.negatives_from, precision=args.train_precision,
                            choose_weight=not args.keep_weight, select_epoch=args.select_epoch,
                            keep="always" if args.keep_always else "improved",
                            device=args.device)


def _pairs(args: argparse.Namespace, catalog, ws: Workspace) -> LabelledPairs:
    parts = []
    if args.pairs:
        try:
            parts.append(read_pairs(args.pairs, catalog))
        except (ModelLoadError, StoreError):
            raise
        except CatalogSimilarityError as exc:  # the flag named, as evaluate's labels are
            raise ConfigError(f"--pairs {args.pairs}: {cli_text(exc)}") from None
    if args.reviews:
        reviews = review_pairs(workspace_db(args), catalog, owner=review_owner(args))
        print(f"review decisions: {len(reviews)} pairs", file=sys.stderr)
        parts.append(reviews)
    pairs = combine(*parts)
    for warning in pairs.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not len(pairs) and not args.self_supervised:
        raise CatalogSimilarityError("No training data: give --pairs FILE, --reviews with "
                                     "decisions in the workspace, or --self-supervised")
    return pairs


def cmd_finetune(args: argparse.Namespace) -> int:
    from core.cli.tuning import guess_model_number
    from core.embed.store import EmbeddingStore
    from core.finetune.run import check_trainable, finetune, model_to_train
    from core.search.channels import catalog_index

    settings = settings_from_args(args)
    if args.pairs and not Path(args.pairs).is_file():  # before the catalog is read
        raise ConfigError(f"--pairs {args.pairs}: no such file")
    cfg = config_from_args(args)
    session = review_owner(args)  # --session: the model is that app session's, as if made there
    owner = session_model_owner(session) if session else None
    ws = Workspace(Path(args.workspace)) if args.workspace else Workspace.default()
    catalog = load_catalog_from_args(args, cfg)
    cfg = with_language(args, cfg, catalog)  # the model and weight the lists use (--language)
    cfg, catalog = guess_model_number(args, cfg, catalog)  # compared as the lists compare it
    say_price_note(catalog)  # a price column in two units: not read, as the lists do not
    start_from = cfg.model if args.start_from == "current" else args.start_from
    check_trainable(model_to_train(cfg.model, start_from))
    data = build_training_set(catalog, _pairs(args, catalog, ws),
                              self_supervised=args.self_supervised,
                              valid_fraction=settings.valid_fraction, seed=settings.seed)
    vectors = vectors_from_args(args, cfg, catalog)
    store = None if args.no_store else EmbeddingStore(ws.ensure().db_path)
    print(f"training on {len(data.train)} pairs; validation: "
          f"{len(data.valid) if data.valid else 0} held-out queries", file=sys.stderr)
    with Progress("starting", "step") as progress:
        result = finetune(catalog.texts, data, base_model=cfg.model, base_vectors=vectors,
                          settings=settings, out=Path(args.out) if args.out else None,
                          models_dir=ws.models_dir, progress=progress,
                          status=progress.describe,
                          words=catalog_index(catalog, cfg.field_weights),
                          hybrid_weight=cfg.hybrid_weight, metric=cfg.metric, owner=owner,
                          model_numbers=catalog.model_numbers(), prices=catalog.price_evidence(),
                          start_from=start_from, store=store)
    if store is not None:
        store.close()
    _report(result)
    if result.kept and owner:
        print(f"it is {model_display_name(result.folder)} in the model picker of app session "
              f"{session} only (other sessions neither list nor load it)", file=sys.stderr)
    return 0


def _report(result: FinetuneResult) -> None:
    say = lambda msg: print(msg, file=sys.stderr)
    for label, m in (("before", result.before), ("after", result.after)):
        if m is not None:
            say(f"{label}: Recall@1 {m.recall_at_1:.3f}  Recall@{m.k} {m.recall_at_k:.3f}  "
                f"MRR {m.mrr:.3f}  ({m.queries} validation queries)")
    choice = result.weight_choice
    if choice is not None:
        for label, row in choice.summary_rows():
            say(f"lists, {label} (hybrid weight {row.weight:g}): Recall@1 {row.recall_at_1:.3f}  "
                f"MRR {row.mrr:.3f}")
    say(f"{result.steps} steps ({result.epochs_run} epochs) in {result.train_seconds:.0f} s")
    for note in result.notes:
        say(note)
    if not result.kept:
        say("to save it anyway (say, to compare it on other data), run again with --keep-always")
    if result.kept:
        weight = f"; its hybrid weight {choice.weight:g} is used unless you give " \
            "--hybrid-weight" if choice is not None else ""
        say(f"saved {result.folder}; use it with --model {result.folder}{weight}")
    if result.kept and not result.improved:  # kept by --keep-always: say what that means
        checked = result.before is not None or choice is not None
        say("its held-out lists are not better than the current model's: it was kept only "
            "because of --keep-always; keep using the current model unless you mean to try it"
            if checked else "it could not be checked (no held-out queries): it was kept only "
            "because of --keep-always")
