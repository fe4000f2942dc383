"""A whole fine-tuning job, in named phases that the app and the CLI show as they run:

    embedding the catalog -> mining hard negatives -> training: epoch n of m ->
    saving the model -> validating (the model alone, then the lists at every hybrid
    weight, the weight chosen again, the 0..1 score calibration fitted again) -> done

Hard negatives come from the model's own neighbours, or (negatives_from="lists") from
the neighbour lists as the pipeline fuses them (the words channel at the weight in
use), so that training works on the mistakes the lists make. After training the
hybrid weight is chosen again on the held-out pairs (:mod:`core.finetune.weight`) and saved with the model
(:mod:`core.finetune.card`); the model is kept only when the held-out lists improve
(or always, with keep="always"). The tuned model is saved under its final folder name
and validated through :class:`core.embed.bert.BertEncoder` exactly as at inference
(on a CPU that exports it to ONNX once, cached under the model's identity, so the
first catalog embedding with it does not pay the export).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from core.config import DEFAULT_HYBRID_WEIGHT
from core.embed.bert import BertEncoder
from core.embed.encoders import Progress, load_encoder
from core.embed.expand import trainable_multilingual
from core.embed.models import check_device, default_device, is_bundled, resolve_model
from core.embed.multilingual import DISPLAY_NAME, MULTILINGUAL, is_multilingual
from core.embed.onnx import forget_export
from core.embed.store import EmbeddingStore, embed_with_store, text_hash
from core.errors import ModelLoadError, StoreError
from core.finetune.calibrate import Corpus, fit_evidence, refit_calibration
from core.finetune.card import (
    model_display_name,
    next_version_folder,
    read_card,
    save_model_folder,
    version_name,
    write_card,
)
from core.finetune.data import TrainingSet, ValidationSet
from core.finetune.pseudo import confident_pairs, held_out_rows, with_confident_pairs
from core.finetune.settings import (
    Cancel,
    FinetuneCancelled,
    FinetuneError,
    FinetuneResult,
    FinetuneSettings,
    Status,
    default_epochs,
    retrieval_metrics,
)
from core.finetune.train import _Job, encode_with, length_cap, train_model
from core.finetune.weight import WeightChoice, choose_weight, list_scores, pipeline_scores
from core.search.calibration import BUNDLED, calibration_for
from core.search.channels import Queries
from core.search.lexical import LexicalIndex, build_index


def check_trainable(model: str | Path | None) -> None:
    """Raise FinetuneError, naming a trainable alternative, unless model is a BERT-family
    folder (config.json + safetensors weights), a hub id, or the bundled multilingual model
    (trained through its expanded copy, :mod:`core.embed.expand`)."""
    if is_multilingual(model):
        return
    try:
        name, source = resolve_model(model)
    except ModelLoadError as exc:
        raise FinetuneError(f"{exc} {_ALTERNATIVE}") from None
    if isinstance(source, Path) and not ((source / "config.json").exists()
                                         and any(source.glob("*.safetensors"))):
        raise FinetuneError(f"{name} cannot be fine-tuned: it is not a BERT-family model "
                            f"folder with config.json and safetensors weights. {_ALTERNATIVE}")


_ALTERNATIVE = ("Start from the bundled multilingual model instead (\"multilingual\": it reads "
                "English and Chinese) or the bundled all-MiniLM-L6-v2 (\"bundled\": English).")


def start_model(current: str | Path | None) -> str | Path | None:
    """The model a fine-tuning job trains when none is named: the trainable copy of the
    bundled multilingual model when the lists use a bundled model (all-MiniLM-L6-v2 or the
    4-bit multilingual engine), else the current model itself (a tuned model or one the
    user chose is tuned further). Measured (bench/finetune_abt_buy.py --start-from, valid
    splits, catalog lists R@1): tuned multilingual 0.917 / 0.692 against tuned MiniLM
    0.909 / 0.652 on abt-buy / walmart-amazon, zero-shot 0.884 / 0.587 (test: 0.920 /
    0.776 against 0.931 / 0.757); its job takes about twice as long (2 passes over 554
    pairs 57 s against MiniLM's 4 passes 51 s on 2 cores, whole job 119 s against 61 s)
    and it embeds about 2 times slower (12 layers against 6)."""
    return MULTILINGUAL if is_bundled(current) or is_multilingual(current) else current


def model_to_train(current: str | Path | None,
                   start_from: str | Path | None = None) -> str | Path | None:
    """The model a job trains: start_from when named, else :func:`start_model`."""
    return start_model(current) if start_from is None else start_from


@dataclass
class _Phases:
    """Reports each phase to status and times it; a cancel asked for meanwhile stops the
    run at the next phase (training checks it at every step)."""

    say: Status
    cancel: Cancel | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    _name: str = ""
    _t: float = 0.0

    def __call__(self, name: str, message: str | None = None) -> None:
        self.close()
        self.check()
        self._name, self._t = name, time.perf_counter()
        self.say(message or name)

    def check(self) -> None:
        if self.cancel is not None and self.cancel():
            raise FinetuneCancelled("Fine-tuning cancelled; nothing was saved")

    def close(self) -> None:
        if self._name:
            self.seconds[self._name] = self.seconds.get(self._name, 0.0) + \
                time.perf_counter() - self._t
            self._name = ""


@dataclass(frozen=True)
class _Lists:
    """The words index over the corpus rows and the weight in use (None: no words), and
    every catalog product's model number (None: no model number column)."""

    words: LexicalIndex | None
    weight: float
    metric: str
    model_numbers: Sequence[str] | None = None
    prices: np.ndarray | None = None

    def corpus(self, vectors: np.ndarray, corpus_rows: np.ndarray,
               texts: Sequence[str]) -> Corpus:
        return Corpus(vectors, self.words, corpus_rows, texts, self.model_numbers, self.prices)

    def lists_of(self, texts: Sequence[str], vectors: np.ndarray, corpus_rows: np.ndarray):
        """Fused neighbour lists of anchor rows as the pipeline ranks them (same-product
        evidence of the texts, the current model's weights), as catalog rows (-1 padded)."""
        index = self.corpus(vectors[corpus_rows], corpus_rows, texts).index(
            self.weight, self.metric, BUNDLED)

        def lists_of(anchors: np.ndarray, depth: int) -> np.ndarray:
            nb = index.rank(min(depth, len(corpus_rows)),
                            Queries(vectors[anchors], [texts[a] for a in anchors]))
            return np.where(nb.indices >= 0, corpus_rows[np.maximum(nb.indices, 0)], -1)
        return lists_of


def _words_of(texts: Sequence[str], corpus_rows: np.ndarray,
              words: LexicalIndex | None) -> LexicalIndex:
    """The words index of the corpus rows: words when it covers exactly every row."""
    if words is not None and len(corpus_rows) == len(texts) and \
            np.array_equal(corpus_rows, np.arange(len(texts))):
        return words
    return build_index([texts[r] for r in corpus_rows])


def _vectors(encoder: BertEncoder, texts: Sequence[str], corpus_rows: np.ndarray,
             valid: ValidationSet) -> tuple[np.ndarray, np.ndarray]:
    """(query vectors, corpus vectors) of a validation set through an encoder; a text
    among both (a held-out product is a catalog row) is embedded once."""
    corpus = [texts[r] for r in corpus_rows]
    both = embed_with_store(encoder, corpus + list(valid.queries), None).vectors
    return both[len(corpus):], both[:len(corpus)]


def _store_tuned(store: EmbeddingStore, private: bytes | None, identity: str,
                 texts: Sequence[str], vectors: np.ndarray) -> str:
    """Keep the kept model's vectors of the catalog (validation embedded every corpus row
    with it) in the store, so that the first lists with the new model reuse them instead of
    embedding the catalog again; returns the note that says so. A store that fails costs
    only that (the note says why)."""
    unique = dict(zip((text_hash(t, private) for t in texts), range(len(texts))))
    try:
        store.put(identity, list(unique), vectors[list(unique.values())])
    except StoreError as exc:
        return f"{exc}; the new model will read the catalog once more for its first lists"
    return (f"the new model has read the catalog already ({len(unique):,} different texts, kept "
            "in the workspace): its first lists do not read it again")


def _base_vectors_of(base_vectors: np.ndarray, corpus_rows: np.ndarray,
                     valid: ValidationSet, current: _Current) -> tuple[np.ndarray, np.ndarray]:
    queries = current.encoder().encode(valid.queries) if (valid.query_rows < 0).any() \
        else base_vectors[valid.query_rows]
    return queries, base_vectors[corpus_rows]


def finetune(texts: Sequence[str], data: TrainingSet, *, base_model: str | Path | None = None,
             corpus_rows: np.ndarray | None = None, base_vectors: np.ndarray | None = None,
             settings: FinetuneSettings | None = None, out: Path | None = None,
             models_dir: Path | None = None, progress: Progress | None = None,
             cancel: Cancel | None = None, status: Status | None = None,
             words: LexicalIndex | None = None, hybrid_weight: float = DEFAULT_HYBRID_WEIGHT,
             metric: str = "cosine", owner: str | None = None,
             model_numbers: Sequence[str] | None = None,
             prices: np.ndarray | None = None,
             start_from: str | Path | None = None,
             store: EmbeddingStore | None = None,
             private: bytes | None = None) -> FinetuneResult:
    """Fine-tune a model on data.train; keep it (in out, or the next versioned folder
    of models_dir) only when the held-out lists improve on the current model's, or always
    with keep="always". owner: who may use the kept model (card.json "owner",
    core.finetune.card.model_owner; the app's session), None for everyone (the CLI).

    base_model: the current model (the one the lists use now: "before"); start_from: the
    model trained (default :func:`start_model`: the trainable multilingual copy when the
    current model is a bundled one, else the current model).
    texts: every catalog text (rows); corpus_rows: rows searched at validation and for
    negatives (default all); base_vectors: (n, d) the current model's vectors of texts, if
    known; words: the catalog's words index (default: built from texts); hybrid_weight,
    metric: the lists' settings in use; model_numbers: every product's model number (the
    mapped column, by row; None: none), compared in the lists that choose hard negatives,
    the weight and the calibration as the catalog's lists compare them; prices: every
    product's price (the mapped column, parsed, by row; None: none), read the same way.
    store, private: the embedding store (core.embed.store) and the owner's key in it: the
    catalog's vectors from the model to train are reused from it and kept in it, and those
    from a kept model are kept in it, so that its first lists embed nothing again (None:
    no store).
    Raises FinetuneCancelled when cancel() turns true.
    """
    start = time.perf_counter()
    settings = settings or FinetuneSettings()
    if len(data.train) < 2:
        raise FinetuneError("Fine-tuning needs at least 2 positive training pairs")
    if model_numbers is not None and len(model_numbers) != len(texts):
        raise FinetuneError(f"{len(model_numbers)} model numbers for {len(texts)} products")
    if prices is not None and len(prices) != len(texts):
        raise FinetuneError(f"{len(prices)} prices for {len(texts)} products")
    trained = model_to_train(base_model, start_from)
    check_trainable(trained)
    if settings.epochs is None:
        settings = replace(settings, epochs=default_epochs(is_multilingual(trained)))
    phase = _Phases(status or (lambda _msg: None), cancel)
    device = check_device(settings.device) if settings.device else default_device()
    if is_multilingual(trained):
        phase("preparing", "preparing the multilingual model for training")
        trained = trainable_multilingual(Path(models_dir) if models_dir else
                                         Path(out).parent if out else Path("models"))
    try:
        base = BertEncoder(trained, device=device)
    except ModelLoadError as exc:
        raise FinetuneError(f"{exc} {_ALTERNATIVE}") from None
    same = _same_model(base, base_model)
    current = _Current(base_model, base if same else None, device)
    target = Path(out) if out else next_version_folder(Path(models_dir or "models"), base.name,
                                                       owner=owner)
    if target.exists() and any(target.iterdir()):
        raise FinetuneError(f"{target} already exists and is not empty; choose a new folder")
    with _claimed(target):  # a run started meanwhile takes the next version
        corpus_rows = np.arange(len(texts)) if corpus_rows is None else np.asarray(corpus_rows)
        settings = replace(settings, max_tokens=length_cap(base, texts, settings.max_tokens))
        if base_vectors is None:
            phase("embedding", "embedding the catalog with the current model")
            base_vectors = current.encoder().encode(list(texts))
        own_vectors = base_vectors
        if not same:
            phase("embedding", f"embedding the catalog with {base.name}, the model to train")
            # through the store: a second run on this catalog does not embed it again
            own_vectors = embed_with_store(base, texts, store, private=private).vectors
        lists = _Lists(_words_of(texts, corpus_rows, words), float(hybrid_weight), metric,
                       model_numbers, prices)
        if settings.pseudo_pairs > 0:
            data = _add_confident(current.calibration, texts, data, corpus_rows, base_vectors,
                                  lists, settings, phase)
        job = _Job(texts, data.train, own_vectors, corpus_rows, data.known, data.rejected,
                   settings, device, lists_of=lists.lists_of(texts, base_vectors, corpus_rows)
                   if settings.negatives_from == "lists" else None)
        if settings.select_epoch and data.valid is not None:
            job.after_epoch = _epoch_check(base, texts, corpus_rows, data.valid, lists, settings,
                                           device, phase)
        t0 = time.perf_counter()
        model, steps, epochs_run = train_model(base, job, progress=progress, cancel=cancel,
                                               status=lambda msg: phase(msg.split(" ")[0].rstrip(":"), msg))
        train_seconds = time.perf_counter() - t0
        phase("saving", "saving the model")
        tmp = target.parent / f".{target.name}.tmp" / target.name  # the final name: same identity
        shutil.rmtree(tmp.parent, ignore_errors=True)
        save_model_folder(model, base, tmp)
        new_model = None
        try:
            new_model = BertEncoder(tmp, device=device)  # its identity: the name it is kept under
            result, tuned = _validate(base, current, new_model, texts, data, corpus_rows,
                                      base_vectors, lists, settings, device, phase)
            phase.check()  # a stop asked for during the last phase: nothing kept
        except BaseException:  # stopped (Stop, Ctrl-C) or failed while validating: the
            shutil.rmtree(tmp.parent, ignore_errors=True)  # unvalidated copy goes too,
            if new_model is not None:  # and the ONNX export validation made of it
                forget_export(new_model.identity)
            raise
        result = replace(result, steps=steps, train_seconds=train_seconds, epochs_run=epochs_run,
                         train_pairs=len(data.train), base_model=_shown_name(base),
                         settings=settings)
        if not same:
            result = replace(result, notes=(f"trained from {_shown_name(base)}; \"before\" is "
                                            f"the current model, {current.name}",
                                            *result.notes))
        if store is not None and tuned is not None and \
                (settings.keep == "always" or result.improved):
            phase("saving", "saving what the new model read of the catalog")
            note = _store_tuned(store, private, tuned[0], [texts[r] for r in corpus_rows],
                                tuned[1])
            result = replace(result, notes=(*result.notes, note))
        phase.close()
        shown = version_name(target) if owner and not out else target.name
        result = _keep_or_drop(result, tmp, target, data, start, phase.seconds, owner, shown)
        if not result.kept:  # its ONNX export (about 470 MB for a 12-layer model) goes too
            forget_export(new_model.identity)
        return result


def _same_model(base: BertEncoder, current: str | Path | None) -> bool:
    """Whether the model trained is the current model (its folder or name)."""
    if is_multilingual(current):
        return False  # the engine's 4-bit model: the trained copy gives (nearly) other vectors
    try:
        name, source = resolve_model(current)
    except ModelLoadError:
        return False
    if isinstance(source, Path):
        return source.resolve() == Path(base.folder).resolve()
    return name == base.name


class _Current:
    """The model the lists use now ("before"): its name, calibration and encoder (loaded
    only when texts outside the catalog need its vectors)."""

    def __init__(self, model: str | Path | None, encoder=None, device: str = "cpu") -> None:
        self.model, self._encoder, self._device = model, encoder, device
        self.calibration = calibration_for(model)
        if is_multilingual(model):
            self.name = DISPLAY_NAME
        elif is_bundled(model):
            self.name = resolve_model(None)[0]
        else:
            folder = Path(str(model)).expanduser()
            self.name = model_display_name(folder) if folder.is_dir() else str(model)

    def encoder(self):
        if self._encoder is None:
            try:
                self._encoder = load_encoder(self.model) if is_multilingual(self.model) else \
                    BertEncoder(self.model, device=self._device)
            except ModelLoadError as exc:
                raise FinetuneError(f"{exc} {_ALTERNATIVE}") from None
        return self._encoder


@contextmanager
def _claimed(target: Path):
    """Hold target's name for this run: an empty folder made now, so that another run
    started meanwhile (another browser session) takes the next version instead of failing
    on this one's folder at the end; removed again unless a model was saved in it."""
    made = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        if made and target.is_dir() and not any(target.iterdir()):
            target.rmdir()


def _add_confident(calibration, texts: Sequence[str], data: TrainingSet,
                   corpus_rows: np.ndarray, base_vectors: np.ndarray, lists: _Lists,
                   settings: FinetuneSettings, phase: _Phases) -> TrainingSet:
    """data with the current model's confident pairs (core.finetune.pseudo) added."""
    phase("finding pairs", "finding confident pairs in the current model's lists")
    extra = confident_pairs(texts, base_vectors, corpus_rows, lists.words,
                            weight=lists.weight, metric=lists.metric,
                            calibration=calibration,
                            threshold=settings.pseudo_threshold, cap=settings.pseudo_pairs,
                            exclude=held_out_rows(data.valid), known=data.known,
                            model_numbers=lists.model_numbers, prices=lists.prices)
    phase.say(f"found {len(extra)} confident pairs (score >= {settings.pseudo_threshold:g})")
    return with_confident_pairs(data, extra)


def _epoch_check(base: BertEncoder, texts: Sequence[str], corpus_rows: np.ndarray,
                 valid: ValidationSet, lists: _Lists, settings: FinetuneSettings, device: str,
                 phase: _Phases):
    """after_epoch(model, epoch) -> the held-out lists' best smoothed Recall@1 + MRR."""
    corpus_texts = [texts[r] for r in corpus_rows]

    def check(model, epoch: int) -> float:
        phase("validating", f"validating: the lists after epoch {epoch}")
        enc = (lambda t: encode_with(model, base.tokenizer, t, settings.max_tokens, device))
        scores = list_scores(enc(valid.queries), enc(corpus_texts), lists.words, valid,
                             corpus_rows, k=settings.k, metric=lists.metric)
        best = choose_weight(scores, lists.weight)
        return next(s.recall_at_1 + s.mrr for s in scores if s.weight == best)
    return check


def _validate(base: BertEncoder, current: _Current, new_model: BertEncoder,
              texts: Sequence[str], data: TrainingSet,
              corpus_rows: np.ndarray, base_vectors: np.ndarray, lists: _Lists,
              settings: FinetuneSettings, device: str, phase: _Phases
              ) -> tuple[FinetuneResult, tuple[str, np.ndarray] | None]:
    """Metrics before/after of the model alone and of the lists at every weight, and the
    new model's (store identity, vectors of the corpus rows); None without validation."""
    valid, k = data.valid, settings.k
    empty = FinetuneResult(None, None, False, None, 0, 0.0, 0.0, 0, base.name, settings)
    if valid is None:
        return empty, None
    phase("validating", "validating: the new model on the held-out pairs")
    q0, c0 = _base_vectors_of(base_vectors, corpus_rows, valid, current)
    folder = Path(new_model.folder)
    q1, c1 = _vectors(new_model, texts, corpus_rows, valid)
    before = retrieval_metrics(q0, c0, corpus_rows, valid, k=k)
    after = retrieval_metrics(q1, c1, corpus_rows, valid, k=k)
    tuned = lists.corpus(c1, corpus_rows, texts)
    phase("calibrating", "validating: fitting the same-product evidence for the new model")
    evidence, ev_note = fit_evidence(tuned, valid, weight=lists.weight, metric=lists.metric)
    choice, config = None, {}
    if settings.choose_weight:
        phase("choosing weight", "validating: the lists at every hybrid weight")
        choice = _choose(lists, lists.corpus(c0, corpus_rows, texts), tuned, valid,
                         (q0, q1), (current.calibration,
                                    replace(BUNDLED, evidence=evidence, priced=None)), k)
        config = {"hybrid_weight": choice.weight}
    phase("calibrating", "validating: fitting the 0..1 list scores for the new model")
    note = refit_calibration(folder, tuned, valid, data.rejected,
                             weight=choice.weight if choice else lists.weight,
                             metric=lists.metric, model=folder.name, evidence=evidence)
    return (replace(empty, before=before, after=after, weight_choice=choice, config=config,
                    notes=(ev_note, note)), (new_model.identity, c1))


def _shown_name(model: BertEncoder) -> str:
    """The base model's name as its card gives it (a session's 'shop-ft-v1'), else its own."""
    name = (read_card(model.folder) or {}).get("name")
    return name if isinstance(name, str) and name.strip() else model.name


def _choose(lists: _Lists, before: Corpus, after: Corpus, valid: ValidationSet,
            queries: tuple[np.ndarray, np.ndarray], calibrations: tuple, k: int) -> WeightChoice:
    """The held-out lists as the default pipeline makes them (evidence included): the
    tuned model's at every weight (the weight is chosen among them), the current model's
    (its calibration) at the weight in use, the only one it is compared at."""
    b = pipeline_scores(before, valid, calibrations[0], query_vectors=queries[0],
                        weights=(lists.weight,), k=k, metric=lists.metric)
    a = pipeline_scores(after, valid, calibrations[1], query_vectors=queries[1], k=k,
                        metric=lists.metric)
    return WeightChoice(choose_weight(a, lists.weight), lists.weight, b, a)


def _keep_or_drop(result: FinetuneResult, tmp: Path, target: Path, data: TrainingSet,
                  start: float, phases: dict, owner: str | None = None,
                  name: str | None = None) -> FinetuneResult:
    result = replace(result, phase_seconds=dict(phases))
    if not (result.settings.keep == "always" or result.improved):
        shutil.rmtree(tmp.parent, ignore_errors=True)
        note = "no validation queries" if data.valid is None else \
            "the held-out lists did not improve"
        return replace(result, total_seconds=time.perf_counter() - start,
                       notes=(f"{note}; the new model was not kept",))
    result = replace(result, kept=True, folder=target,
                     total_seconds=time.perf_counter() - start)
    write_card(tmp, result, {**data.description, "train_pairs": len(data.train),
                             "validation_queries": len(data.valid) if data.valid else 0},
               owner=owner, name=name)
    if target.exists():
        target.rmdir()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(target)  # whole, card included: a folder in models/ is never half-written
    shutil.rmtree(tmp.parent, ignore_errors=True)
    return result

