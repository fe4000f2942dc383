"""Reading Parquet catalogs: every column becomes something the app can show and export.

Text columns become ``str`` ("" for missing); binary columns are decoded as
UTF-8 when they are text, else left out with a warning; categorical columns
(with or without nulls) become text; numeric columns stay numeric (an id
column of floats is named by :func:`core.catalog.table.id_strings`).
"""

from __future__ import annotations

import io

import pandas as pd

from core.catalog.column_checks import repeated_names_warning, unique_names
from core.errors import CatalogError, short_list


def read_parquet_frame(data: bytes, name: str, max_rows: int) -> tuple[pd.DataFrame, list[str]]:
    """(frame, warnings); the row count is checked from the footer before reading."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pfile = pq.ParquetFile(io.BytesIO(data))
        rows = pfile.metadata.num_rows
        if rows > max_rows:
            raise CatalogError(f"{name} has {rows:,} rows, over the {max_rows:,} row limit; "
                               "split it or raise $CATSIM_MAX_ROWS")
        table = pfile.read()
    except CatalogError:
        raise
    except Exception as exc:  # pyarrow raises several types for bad files
        raise CatalogError(f"{name} is not a readable Parquet file (the file is damaged or was "
                           "cut short); export it again") from exc
    labels, renamed = unique_names([str(n) for n in table.schema.names])  # pyarrow allows
    warnings = [repeated_names_warning(name, renamed)] if renamed else []  # repeated names
    columns, dropped = {}, []
    for label, field, column in zip(labels, table.schema, table.columns):
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type) \
                or pa.types.is_fixed_size_binary(field.type):
            text = _binary_as_text(column.to_pylist())
            if text is None:
                dropped.append(label)
                continue
            columns[label] = pd.Series(text, dtype=object)
        elif pa.types.is_dictionary(field.type):
            columns[label] = pd.Series(column.cast(field.type.value_type).to_pylist(),
                                       dtype=object)
        elif pa.types.is_nested(field.type):
            dropped.append(label)
        else:
            columns[label] = column.to_pandas()
    frame = pd.DataFrame(columns)
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].map(lambda v: "" if v is None or pd.isna(v) else str(v))
    if dropped:
        warnings.append(f"{len(dropped)} columns hold binary or nested data and were left out "
                        f"({short_list(dropped, 5)})")
    return frame, warnings


def _binary_as_text(values: list) -> list[str] | None:
    out = []
    for value in values:
        if value is None:
            out.append("")
            continue
        try:
            out.append(bytes(value).decode("utf-8"))
        except UnicodeDecodeError:
            return None
    return out


__all__ = ["read_parquet_frame"]
