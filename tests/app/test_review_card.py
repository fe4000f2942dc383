"""The Review page's product card: which of a product's columns it shows."""

from __future__ import annotations

import pandas as pd

from components.tuning_review import CARD_FIELDS, CARD_VALUE_CHARS, card_fields
from core.catalog.table import ColumnMapping, build_catalog


def _catalog(frame: pd.DataFrame, **roles: str):
    return build_catalog(frame, ColumnMapping(text_columns=("Title",), id_column="SKU", **roles))


def test_the_card_shows_the_columns_that_tell_variants_apart() -> None:
    """Two rows titled "Classic Crew Tee" (size and colour in columns of their own): the card
    showed the category only, so the reviewer could not tell S from M."""
    frame = pd.DataFrame({"SKU": ["T-BL-S", "T-BL-M"], "Title": ["Classic Crew Tee"] * 2,
                          "Size": ["S", "M"], "Colour": ["Black", "Black"],
                          "Category": ["Tops", "Tops"], "Price": ["19", "19"],
                          "Note": ["", "  "], "Image": ["a.jpg", "b.jpg"]})
    cat = _catalog(frame, category="Category", price="Price", image="Image")
    assert card_fields(cat, 0) == [("Category", "Tops"), ("Size", "S"), ("Colour", "Black")]
    assert card_fields(cat, 1)[1] == ("Size", "M")  # empty cells are left out


def test_the_card_is_bounded_and_keeps_roles_first() -> None:
    wide = {f"c{i}": [f"value {i}"] for i in range(40)}
    frame = pd.DataFrame({"SKU": ["1"], "Title": ["Lamp"], **wide, "Brand": ["Acme"],
                          "Description": ["x" * 5000]})
    cat = build_catalog(frame, ColumnMapping(text_columns=("Title", "Description"),
                                             id_column="SKU", brand="Brand"))
    fields = card_fields(cat, 0)
    assert len(fields) == CARD_FIELDS
    assert fields[0] == ("Description", "x" * (CARD_VALUE_CHARS - 1) + "…")
    assert fields[1] == ("Brand", "Acme") and fields[2] == ("c0", "value 0")
