"""catalog-similarity engine: no Streamlit here; usable from the CLI and notebooks.

The same configuration gives the same lists here, in the app and in the CLI:

>>> from core import Config, read_table, catalog_from_config, load_encoder
>>> from core import embed_catalog, final_lists, lists_frame
>>> cfg = Config(text_columns=("title",), k=10)
>>> catalog, _ = catalog_from_config(read_table("data/demo_walmart.csv"), cfg)
>>> vectors = embed_catalog(catalog, load_encoder(cfg.model), None).vectors
>>> frame = lists_frame(catalog, final_lists(catalog, vectors, cfg))   # doctest: +SKIP
"""

from __future__ import annotations

from core.catalog.table import (
                                Catalog,
                                ColumnMapping,
                                RawTable,
                                ValidationReport,
                                build_catalog,
                                build_texts,
                                field_defaults,
                                guess_id_column,
                                guess_text_columns,
                                read_table,
)
from core.config import Config
from core.embed.encoders import BertEncoder, Encoder, bundled_model_path, load_encoder
from core.embed.image_encoders import load_image_encoder
from core.embed.image_vectors import ImageVectors, catalog_images, embed_images
from core.embed.store import EmbeddingStore, EmbedResult, embed_with_store
from core.errors import CatalogError, CatalogSimilarityError, ConfigError, ModelLoadError
from core.export.tables import catalog_neighbors_frame, neighbors_frame, to_bytes, write_table
from core.lists.rules import lists_frame
from core.lists.spec import Rules
from core.pipeline import (
                                apply_rules,
                                candidate_pool,
                                catalog_from_config,
                                embed_catalog,
                                final_lists,
                                neighbor_index,
)
from core.pipeline import search as search_products
from core.projection import Projection, project
from core.search.channels import Queries
from core.search.exact import pairwise_scores, topk
from core.search.index import NeighborIndex
from core.search.neighbors import METRICS, Neighbors
from core.search.settings import SearchSettings
from core.workspace import Workspace

__all__ = [
                                "METRICS",
                                "BertEncoder",
                                "Catalog",
                                "CatalogError",
                                "CatalogSimilarityError",
                                "ColumnMapping",
                                "Config",
                                "ConfigError",
                                "EmbedResult",
                                "EmbeddingStore",
                                "Encoder",
                                "ImageVectors",
                                "ModelLoadError",
                                "NeighborIndex",
                                "Neighbors",
                                "Projection",
                                "Queries",
                                "RawTable",
                                "Rules",
                                "SearchSettings",
                                "ValidationReport",
                                "Workspace",
                                "apply_rules",
                                "build_catalog",
                                "build_texts",
                                "bundled_model_path",
                                "candidate_pool",
                                "catalog_from_config",
                                "catalog_images",
                                "catalog_neighbors_frame",
                                "embed_catalog",
                                "embed_images",
                                "embed_with_store",
                                "field_defaults",
                                "final_lists",
                                "guess_id_column",
                                "guess_text_columns",
                                "lists_frame",
                                "load_encoder",
                                "load_image_encoder",
                                "neighbor_index",
                                "neighbors_frame",
                                "pairwise_scores",
                                "project",
                                "read_table",
                                "search_products",
                                "to_bytes",
                                "topk",
                                "write_table",
]
