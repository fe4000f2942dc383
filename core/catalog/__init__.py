"""Catalogs: reading files (encodings, delimiters, limits), validating, mapping columns."""
