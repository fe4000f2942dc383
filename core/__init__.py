"""catalog-similarity engine: no Streamlit here; usable from the CLI and notebooks.

>>> from core import read_table, build_catalog, ColumnMapping, load_encoder, topk
"""

from __future__ import annotations

from core.catalog.table import (Catalog, ColumnMapping, RawTable, ValidationReport, build_catalog,
                          build_texts, field_defaults, guess_id_column, guess_text_columns,
                          read_table)
from core.config import Config
from core.embed.encoders import BertEncoder, Encoder, bundled_model_path, load_encoder
from core.errors import CatalogError, CatalogSimilarityError, ConfigError, ModelLoadError
from core.export.tables import catalog_neighbors_frame, neighbors_frame, to_bytes, write_table
from core.pipeline import catalog_neighbors, embed_catalog, search
from core.projection import Projection, project
from core.search.exact import pairwise_scores, topk
from core.search.neighbors import METRICS, Neighbors
from core.embed.store import EmbeddingStore, EmbedResult, embed_with_store
from core.workspace import Workspace

__all__ = [
    "Catalog", "ColumnMapping", "RawTable", "ValidationReport", "build_catalog", "build_texts",
    "field_defaults", "guess_id_column", "guess_text_columns", "read_table", "Config",
    "BertEncoder", "Encoder", "bundled_model_path", "load_encoder", "CatalogError",
    "CatalogSimilarityError", "ConfigError", "ModelLoadError", "catalog_neighbors_frame",
    "neighbors_frame", "to_bytes", "write_table", "catalog_neighbors", "embed_catalog",
    "search", "Projection", "project", "METRICS", "Neighbors", "pairwise_scores", "topk",
    "EmbeddingStore", "EmbedResult", "embed_with_store", "Workspace",
]
