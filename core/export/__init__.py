"""Neighbour lists as files (long format; Excel-safe CSV, XLSX, Parquet, JSON)."""
