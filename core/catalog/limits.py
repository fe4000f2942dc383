"""Size limits on what the app and the CLI accept: upload bytes, rows, text length.

One place decides them, read the same way by core, the CLI and the app:

==========================  ==========================================  ==========
limit                       where it is set (first found wins)          default
==========================  ==========================================  ==========
upload / file size (MB)     ``$CATSIM_MAX_UPLOAD_MB``,                  500
                            ``$STREAMLIT_SERVER_MAX_UPLOAD_SIZE``,
                            ``server.maxUploadSize`` in
                            ``.streamlit/config.toml``
rows per catalog            ``$CATSIM_MAX_ROWS``                        1,000,000
characters per text cell    ``$CATSIM_MAX_TEXT_CHARS``                  100,000
workbook XML or JSON (MB)   ``$CATSIM_MAX_XLSX_MB``                     200
==========================  ==========================================  ==========

Files over the size limit are refused before they are read; files over the
row limit are refused while their rows are counted (before a table is
built); a workbook may unpack to that much XML, and a JSON document (read whole,
unlike JSON Lines and XML feeds, which stream) may be that large; cells over the text
limit are kept in the table but truncated in the text the model embeds, with a warning.
Streamlit's own uploader reads ``server.maxUploadSize`` too, so the app and core agree.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

CONFIG_TOML = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
DEFAULT_UPLOAD_MB = 500
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_TEXT_CHARS = 100_000
DEFAULT_MAX_XLSX_MB = 200
ENV_UPLOAD_MB = "CATSIM_MAX_UPLOAD_MB"
ENV_STREAMLIT_UPLOAD = "STREAMLIT_SERVER_MAX_UPLOAD_SIZE"
ENV_MAX_ROWS = "CATSIM_MAX_ROWS"
ENV_MAX_TEXT_CHARS = "CATSIM_MAX_TEXT_CHARS"
ENV_MAX_XLSX_MB = "CATSIM_MAX_XLSX_MB"


@dataclass(frozen=True)
class Limits:
    """max_upload_mb: file size in MB (10**6 bytes, as Streamlit counts);
    max_rows: product rows; max_text_chars: characters of one text cell (every
    channel: the model and the word index); max_xlsx_mb: XML a workbook may
    unpack to (MB)."""

    max_upload_mb: int = DEFAULT_UPLOAD_MB
    max_rows: int = DEFAULT_MAX_ROWS
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_xlsx_mb: int = DEFAULT_MAX_XLSX_MB

    def __post_init__(self) -> None:
        for name in ("max_upload_mb", "max_rows", "max_text_chars", "max_xlsx_mb"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")

    @property
    def max_bytes(self) -> int:
        """The size limit in bytes (Streamlit's MB: 10**6 bytes)."""
        return self.max_upload_mb * 1_000_000

    @property
    def max_xlsx_bytes(self) -> int:
        """Unpacked XML a workbook may hold, in bytes."""
        return self.max_xlsx_mb * 1_000_000


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise ConfigError(f"${name} must be a whole number, got {raw!r}") from None


def _toml_upload_mb(path: Path) -> int | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = data.get("server", {}).get("maxUploadSize")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def current_limits(*, config_toml: Path | None = None) -> Limits:
    """The limits in force now (environment, then .streamlit/config.toml, then defaults)."""
    upload = (_env_int(ENV_UPLOAD_MB) or _env_int(ENV_STREAMLIT_UPLOAD)
              or _toml_upload_mb(config_toml or CONFIG_TOML) or DEFAULT_UPLOAD_MB)
    return Limits(max_upload_mb=upload,
                  max_rows=_env_int(ENV_MAX_ROWS) or DEFAULT_MAX_ROWS,
                  max_text_chars=_env_int(ENV_MAX_TEXT_CHARS) or DEFAULT_MAX_TEXT_CHARS,
                  max_xlsx_mb=_env_int(ENV_MAX_XLSX_MB) or DEFAULT_MAX_XLSX_MB)


def describe(limits: Limits) -> str:
    """One line for the UI and the docs."""
    return (f"Limits: files up to {limits.max_upload_mb:,} MB, {limits.max_rows:,} rows; "
            f"text cells over {limits.max_text_chars:,} characters are truncated for the model.")


__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_TEXT_CHARS",
    "DEFAULT_UPLOAD_MB",
    "Limits",
    "current_limits",
    "describe",
]
