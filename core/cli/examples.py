"""Examples at the end of each sub-command's --help: commands that run as pasted, on a
catalog shop.csv (columns sku, title, brand, category, price, photo) and the files named
(tests/cli/test_cli_help_examples.py parses every one and runs most of them)."""

from __future__ import annotations

import argparse

EXAMPLES: dict[str, tuple[str, ...]] = {
    "embed": (
        "python -m core embed shop.csv --out vectors.npy",
        "python -m core embed shop.csv --text-cols title,brand --out vectors.npy",
    ),
    "neighbors": (
        "python -m core neighbors shop.csv --out lists.csv",
        "python -m core neighbors shop.csv --config settings.json --out lists.csv --quiet",
        "python -m core neighbors shop.csv --same category --max-per brand=2 --k 5 "
        "--out lists.csv",
        "python -m core neighbors shop.csv --price-col price --price-ratio 0.5,2 "
        "--out lists.csv",
        "python -m core neighbors --vectors vectors.npy --out lists.csv",
    ),
    "search": (
        'python -m core search shop.csv --query "green tea" --k 5 > results.csv',
    ),
    "duplicate-photos": (
        "python -m core duplicate-photos shop.csv --image-col photo --images photos.zip "
        "--out photo-pairs.csv",
    ),
    "health": (
        "python -m core health shop.csv --same category",
    ),
    "groups": (
        "python -m core groups shop.csv --out groups.csv",
    ),
    "merge-map": (
        "python -m core merge-map shop.csv --threshold 0.95 --out merge.csv",
    ),
    "compare": (
        "python -m core compare shop.csv --config settings.json --other tuned.json",
    ),
    "price-check": (
        "python -m core price-check shop.csv --out outliers.csv",
        "python -m core price-check shop.csv --price-col price --out outliers.csv",
    ),
    "review-pairs": (
        "python -m core review-pairs shop.csv --config settings.json --out reviewed.csv",
    ),
    "config-keys": (
        "python -m core config-keys",
    ),
    "evaluate": (
        "python -m core evaluate shop.csv --judgements pairs.csv",
        "python -m core evaluate shop.csv --judgements pairs.csv --compare-weights 0,0.5,1",
        "python -m core evaluate shop.csv --coherence category",
    ),
    "threshold": (
        "python -m core threshold shop.csv --pairs pairs.csv --save-config settings.json",
        "python -m core threshold shop.csv --pairs pairs.csv --category-col category",
    ),
    "explain": (
        "python -m core explain shop.csv --left A1 --right A2",
        "python -m core explain shop.csv --left A1 --right A2 --brand-col brand",
    ),
    "finetune": (
        "python -m core finetune shop.csv --pairs pairs.csv --out shop-model",
        "python -m core neighbors shop.csv --model shop-model --out lists.csv",
    ),
    "sessions": (
        "python -m core sessions --workspace ./workspace",
        "python -m core sessions --workspace ./workspace --older-than 90 --delete",
    ),
}


# at the end of python -m core --help: the nightly job's command, first time and replayed
TOP_EXAMPLES = (
    "python -m core neighbors shop.csv --out lists.csv",
    "python -m core neighbors shop.csv --config settings.json --out lists.csv --quiet",
    "python -m core neighbors --help",
)


def top_examples() -> str:
    """The examples part of python -m core --help."""
    return ("examples (each command's --help ends with its own):\n"
            + "\n".join(f"  {line}" for line in TOP_EXAMPLES))


def add_examples(sub: argparse._SubParsersAction) -> None:
    """Each sub-command's --help: its one-line summary on top, its examples at the end."""
    summaries = {action.dest: action.help for action in sub._choices_actions}
    for name, parser in sub.choices.items():
        parser.description = parser.description or summaries.get(name)
        if name in EXAMPLES:
            parser.epilog = "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[name])
            parser.formatter_class = argparse.RawDescriptionHelpFormatter


__all__ = ["EXAMPLES", "TOP_EXAMPLES", "add_examples", "top_examples"]
