"""Quality sub-commands: ``evaluate``, ``threshold``, ``explain``.

    python -m core evaluate CATALOG --judgements pairs.csv --compare-weights 0,0.5,1
    python -m core threshold CATALOG --pairs valid.csv --holdout test.csv --save-config cfg.json
    python -m core explain CATALOG --left ID --right ID
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from core.cli import common as cli
from core.config import Config
from core.errors import (
    CatalogSimilarityError,
    ConfigError,
    ModelLoadError,
    StoreError,
    cli_text,
    short_list,
)
from core.search.neighbors import METRICS


def _csv_list(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _floats(text: str | None, name: str) -> list[float]:
    try:
        return [float(t) for t in _csv_list(text)]
    except ValueError:
        raise CatalogSimilarityError(f"{name} must be comma-separated numbers, got {text!r}") \
            from None


def _ks(text: str) -> list[int]:
    """--ks: whole numbers from 1 (0 gave NaN figures and a warning, -1 a crash)."""
    try:
        ks = [int(t) for t in _csv_list(text)]
    except ValueError:
        ks = []
    if not ks or min(ks) < 1:
        raise ConfigError(f"--ks must be whole numbers from 1, e.g. 1,5,10; got {text!r}")
    return ks


def _read(path: str, flag: str) -> pd.DataFrame:
    """The table of a labels file; an error names the flag that gave it."""
    from core.catalog.table import read_table

    _check_file(path, flag)
    return _named(flag, path, lambda: read_table(path).frame)


def _check_file(path: str | None, flag: str) -> None:
    """Before any work: a labels file given is a file (not found after the embedding)."""
    if path and not Path(path).is_file():
        raise ConfigError(f"{flag} {path}: no such file" if not Path(path).exists()
                          else f"{flag} {path} is a folder; give the labels file")


def _named(flag: str, text: str | None, make):
    """make() with its error (not the model's or the workspace's) re-raised as a ConfigError
    naming the flag and its value."""
    try:
        return make()
    except (ModelLoadError, StoreError):
        raise
    except CatalogSimilarityError as exc:  # a file that cannot be read, labels that do not fit
        raise ConfigError(f"{flag} {text}: {cli_text(exc)}") from None


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("catalog", help=cli.CATALOG_HELP)
    p.add_argument("--metric", choices=list(METRICS), help=cli.METRIC_HELP)
    p.add_argument("--k", type=int, help=cli.K_HELP)
    cli.add_catalog_options(p)


def register(sub) -> dict:
    p = sub.add_parser("evaluate", help="Recall@k, MRR, nDCG@k, precision@k, coherence; "
                       "several configurations side by side")
    _common(p)
    p.add_argument("--judgements", help="labelled pairs left_id,right_id[,label] or query "
                   "judgements query,product_id,grade (measured only, never fitted)")
    p.add_argument("--coherence", help="comma-separated columns for category coherence@k "
                   "(default: the category column, if any)")
    p.add_argument("--ks", default="1,5,10", help="cut-offs (default 1,5,10)")
    p.add_argument("--compare-weights", help="hybrid weights to compare, e.g. 0,0.5,1")
    p.add_argument("--compare-metrics", help="metrics to compare, e.g. cosine,dot")
    p.add_argument("--compare-models", help="models to compare, e.g. bundled,/path/to/model")
    p.add_argument("--out", help="also write the table (.csv, .parquet or .json)")
    p.set_defaults(out_kind="table")
    p = sub.add_parser("threshold", help="choose the duplicate threshold on labelled pairs")
    _common(p)
    p.add_argument("--pairs", help="labelled pairs left_id,right_id,label (calibration split); "
                   "without it, the match scores of every product's top-k are summarised")
    p.add_argument("--holdout", help="labelled pairs to report the chosen threshold on")
    p.add_argument("--save-config", help="write the configuration with the chosen threshold(s)")
    p = sub.add_parser("explain", help="why two products match")
    _common(p)
    p.add_argument("--left", required=True, help="id of the first product")
    p.add_argument("--right", required=True, help="id of the second product")
    return {"evaluate": cmd_evaluate, "threshold": cmd_threshold, "explain": cmd_explain}


def _setup(args: argparse.Namespace) -> tuple[Config, object]:
    cfg = cli.config_from_args(args)
    catalog = cli.load_catalog_from_args(args, cfg)
    missing = [c for c in _csv_list(getattr(args, "coherence", None))
               if c not in catalog.frame.columns]
    if missing:  # before anything is embedded
        raise ConfigError(f"--coherence: column(s) {short_list(missing)} not in the catalog "
                          f"{args.catalog}; available: "
                          f"{short_list([str(c) for c in catalog.frame.columns], 40)}")
    from core.cli.tuning import guess_model_number

    return guess_model_number(args, cli.with_language(args, cfg, catalog), catalog)


class _Models:
    """Encoders and catalog vectors per model, loaded once each."""

    def __init__(self, args: argparse.Namespace, catalog) -> None:
        self.args, self.catalog, self.cache = args, catalog, {}

    def get(self, cfg: Config):
        if cfg.model not in self.cache:
            from core.embed.encoders import load_encoder

            enc = load_encoder(cfg.model, batch_size=cfg.batch_size, precision=cfg.precision)
            self.cache[cfg.model] = (enc, cli.vectors_from_args(self.args, cfg, self.catalog, enc))
        return self.cache[cfg.model]


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core.export.tables import write_table
    from core.pipeline import candidate_pool, neighbor_index
    from core.quality.evaluate import coherence, compare, evaluate, read_judgements, variants

    ks = _ks(args.ks)
    _check_file(args.judgements, "--judgements")
    cfg, catalog = _setup(args)
    judgements = None
    if args.judgements:
        frame = _read(args.judgements, "--judgements")
        judgements = _named("--judgements", args.judgements,
                            lambda: read_judgements(frame, catalog))
    columns = _csv_list(args.coherence) or ([cfg.category_column] if cfg.category_column else [])
    if judgements is None and not columns:
        raise CatalogSimilarityError("Give --judgements FILE, or --coherence COLUMN (or map a "
                                     "category column) to measure without labels")
    if judgements is not None:
        if judgements.read is not None:
            cli.say(f"{cli.counted(len(judgements.pairs[0]), 'labelled pair')}: "
                    f"{cli.counted(len(judgements), 'product')} with a labelled match measured; "
                    "used for measurement only")
            _left_out(judgements.read, args.judgements)
        else:
            n = len(judgements)
            cli.say(f"{n:,} judged {'query' if n == 1 else 'queries'}; "
                    f"{cli.counted(judgements.skipped, 'row')} with ids not in the catalog "
                    "skipped; used for measurement only")
    models = _Models(args, catalog)

    def measure(c: Config) -> dict[str, float]:
        encoder, vectors = models.get(c)
        index = neighbor_index(catalog, vectors, c)
        out = evaluate(catalog, vectors, c, judgements, ks=ks, encoder=encoder, index=index) \
            if judgements is not None else {}
        if columns:
            pool = candidate_pool(catalog, vectors, c, pool_k=max(ks), index=index)
            for col in columns:
                out[f"coherence@{max(ks)}:{col}"] = coherence(pool.indices,
                                                              catalog.column(col), max(ks))
        return out

    weights = _floats(args.compare_weights, "--compare-weights")
    for flag, text, key, values in (("--compare-weights", args.compare_weights, "hybrid_weight",
                                     weights),
                                    ("--compare-metrics", args.compare_metrics, "metric",
                                     _csv_list(args.compare_metrics))):
        for value in values:  # before anything is embedded
            _named(flag, text, lambda key=key, value=value: cfg.with_changes(**{key: value}))
    items = variants(cfg, weights=weights, metrics=_csv_list(args.compare_metrics),
                     models=_csv_list(args.compare_models))
    table = compare(items, measure)
    print(table.to_string(index=False))
    if args.out:
        write_table(table, args.out)
        cli.say(f"wrote {args.out}")
    return 0


def _left_out(read, path: str) -> None:
    """One warning line for the rows of a labels file that are not measured (and one for a
    third column read as a note, not labels)."""
    from core.finetune.pairs import not_label_note

    if read.not_label is not None:
        cli.say(f"warning: {path}: {not_label_note(read.not_label)}")
    if read.rows > len(read):
        cli.say(f"warning: {read.rows - len(read):,} of {cli.counted(read.rows, 'row')} of "
                f"{path} left out: " + "; ".join(read.left_out()))


def _labelled(path: str, catalog, flag: str):
    from core.quality.evaluate import labelled_pairs

    frame = _read(path, flag)
    read = _named(flag, path, lambda: labelled_pairs(frame, catalog))
    _left_out(read, path)
    return read.left, read.right, read.labels


def cmd_threshold(args: argparse.Namespace) -> int:
    from core.quality.threshold import (
        SUSPECT_SHARE,
        category_thresholds,
        check_labels,
        choose_threshold,
        f1_at,
        match_scores,
        score_bands,
        scoring_space,
        share_called,
    )

    _check_file(args.pairs, "--pairs")
    _check_file(args.holdout, "--holdout")
    cfg, catalog = _setup(args)
    if args.pairs:  # the labels files read and checked before anything is embedded
        left, right, labels = _labelled(args.pairs, catalog, "--pairs")
        _named("--pairs", args.pairs, lambda: check_labels(labels))
    if args.holdout:
        held_out = _labelled(args.holdout, catalog, "--holdout")
        if not np.any(held_out[2] == 1):  # f1_at said so after embedding, as "a threshold needs"
            raise ConfigError(f"--holdout {args.holdout}: no pair is labelled 1 (the same "
                              "product), so the threshold's precision and recall cannot be "
                              "measured on it; add pairs of the same product, labelled 1")
    _, vectors = _Models(args, catalog).get(cfg)
    space = scoring_space(catalog, vectors, cfg)
    from core.pipeline import candidate_pool

    nb = candidate_pool(catalog, vectors, cfg, pool_k=cfg.k, index=space)
    listed = match_scores(space, np.repeat(np.arange(len(catalog)), nb.k),
                          nb.indices.ravel()).match
    if not args.pairs:
        print(f"match scores of every product's top {nb.k} (no labels):")
        for band in score_bands(listed):
            print(f"  [{band.low:.2f}, {band.high:.2f}): {band.count} pairs")
        return 0
    scores = match_scores(space, left, right).match
    choice = _named("--pairs", args.pairs, lambda: choose_threshold(scores, labels))
    print(f"calibration ({args.pairs}, {choice.pairs} pairs, {choice.positives} positive): "
          f"threshold {choice.threshold:.4f}  precision {choice.precision:.3f}  "
          f"recall {choice.recall:.3f}  F1 {choice.f1:.3f}")
    share = share_called(listed, choice.threshold)
    print(f"  at {choice.threshold:.4f}, {share:.1%} of the entries of every product's top "
          f"{nb.k} score as duplicates")
    if share > SUSPECT_SHARE:
        cli.say("warning: that is more than one in five: pairs labelled 0 that look nothing "
                "alike (picked at random) pull a threshold down; add pairs that look alike but "
                "are different products, labelled 0")
    per_cat: dict[str, float] = {}
    if cfg.category_column:
        values = catalog.column(cfg.category_column).astype(str).to_numpy()[left]
        for value, c in category_thresholds(scores, labels, values).items():
            per_cat[value] = round(c.threshold, 4)
            cli.show(f"  category {value}: threshold {c.threshold:.4f} (F1 {c.f1:.3f}, "
                     f"{c.pairs} pairs)")
    if args.holdout:
        hl, hr, hy = held_out
        held = f1_at(match_scores(space, hl, hr).match, hy, choice.threshold)
        print(f"holdout ({args.holdout}, {held.pairs} pairs): precision {held.precision:.3f}  "
              f"recall {held.recall:.3f}  F1 {held.f1:.3f}")
    if args.save_config:
        saved = cfg.with_changes(duplicate_threshold=round(choice.threshold, 4),
                                 category_thresholds=per_cat)
        saved.save(args.save_config)
        cli.say(f"wrote {args.save_config} (duplicate_threshold {saved.duplicate_threshold})")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from core.pipeline import neighbor_index
    from core.quality.explain import explain_pair, explanation_lines
    from core.quality.threshold import scoring_space

    cfg, catalog = _setup(args)
    pos = catalog.position_of()
    missing = [f"{flag} {i}" for flag, i in (("--left", args.left), ("--right", args.right))
               if i not in pos]
    if missing:  # which flag, and where the ids were looked for
        column = catalog.mapping.id_column
        where = f"the id column '{column}'" if column else "the row numbers (no id column)"
        raise ConfigError(f"{' and '.join(missing)}: not in the catalog {args.catalog}, "
                          f"whose ids are {where}; give --id-col COL to use another column")
    encoder, vectors = _Models(args, catalog).get(cfg)
    images = cli.images_from_args(args, cfg, catalog)  # the photos' part, as in the lists
    space = scoring_space(catalog, vectors, cfg,
                          index=neighbor_index(catalog, vectors, cfg, images=images))
    e = explain_pair(catalog, vectors, cfg, pos[args.left], pos[args.right], encoder=encoder,
                     space=space)
    cli.show("\n".join(explanation_lines(catalog, e)))
    cli.say_price_note(catalog)  # why no price is in the evidence
    return 0
