"""The project's own exception types.

Every problem a user can fix (a bad file, a wrong column name, an unknown
model) raises a subclass of :class:`CatalogSimilarityError` whose message says
what is wrong and what to do. Pages show it with ``st.error``; the CLI prints it
as one line and exits non-zero.
"""

from __future__ import annotations


class CatalogSimilarityError(Exception):
    """Base class for every user-facing error of the project."""


class CatalogError(CatalogSimilarityError, ValueError):
    """The catalog file or its column mapping cannot be used."""


class ModelLoadError(CatalogSimilarityError):
    """A model id or folder cannot be loaded (offline, missing, unsafe)."""


class ConfigError(CatalogSimilarityError, ValueError):
    """A configuration file or option is invalid."""
