"""Sessions never see each other's data; the shared model is safe across threads.

Two AppTest sessions in one process share Streamlit's caches exactly as two
browser tabs on one server do, so a cache keyed on the wrong thing (or any
module-level state) would leak one catalog into the other. The encoder is one
object shared by every session (``st.cache_resource``): threads using it at
once must get the vectors they would get one after another.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.embed.store import EmbeddingStore, embed_with_store
from core.finetune.card import model_display_name
from tests.conftest import REPO_ROOT, element_texts, make_csv_bytes


def _catalog(prefix: str, marker: str) -> bytes:
    words = [(c, w) for c in ("red", "blue", "green") for w in ("cup", "lamp", "pen", "desk")]
    rows = [["sku", "title", "category"],
            *[[f"{prefix}-{i}", f"{c} {w} {marker}", c] for i, (c, w) in enumerate(words)]]
    return make_csv_bytes(rows)


def _session(tiny_bert_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("CATSIM_MODEL", str(tiny_bert_dir))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, at.exception
    return at


def _neighbour_ids(at: AppTest) -> set[str]:
    at.switch_page("pages/neighbors.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[1].value
    return set(table["source_id"].astype(str)) | set(table["neighbor_id"].astype(str))


@pytest.mark.app
def test_two_sessions_with_different_catalogs_never_mix(tiny_bert_dir, workspace,
                                                        monkeypatch) -> None:
    a = _session(tiny_bert_dir, monkeypatch)
    b = _session(tiny_bert_dir, monkeypatch)
    for at, name, prefix, marker in ((a, "a.csv", "AA", "only-in-a"),
                                     (b, "b.csv", "BB", "only-in-b")):
        at.file_uploader(key="catalog.upload").set_value(
            (name, _catalog(prefix, marker), "text/csv")).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
    ids_b = _neighbour_ids(b)
    ids_a = _neighbour_ids(a)
    assert ids_a == {f"AA-{i}" for i in range(12)}
    assert ids_b == {f"BB-{i}" for i in range(12)}
    b.text_input(key="neighbors.all.filter").input("only-in-b").run()
    a.text_input(key="neighbors.all.filter").input("only-in-b").run()
    assert len(b.dataframe[1].value) > 0
    assert len(a.dataframe[1].value) == 0, "session A must not find session B's titles"
    a.text_input(key="neighbors.all.filter").input("").run()
    assert set(a.dataframe[1].value["source_id"]) <= {f"AA-{i}" for i in range(12)}
    assert a.session_state["catalog.catalog"].name == "a.csv"
    assert b.session_state["catalog.catalog"].name == "b.csv"


TEXTS = [f"{c} {w} {n} pack" for c in ("red", "blue", "green", "black", "white")
         for w in ("shoe", "cup", "lamp", "cable", "desk chair with a long description " * 3)
         for n in range(4)]


def test_concurrent_encoding_equals_sequential(tiny_encoder) -> None:
    chunks = [TEXTS[i::6] for i in range(6)] * 2
    sequential = [tiny_encoder.encode(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=6) as pool:
        concurrent = list(pool.map(tiny_encoder.encode, chunks))
    for seq, con in zip(sequential, concurrent):
        np.testing.assert_allclose(con, seq, atol=1e-6)


def test_concurrent_truncation_counts_and_encoding(tiny_encoder) -> None:
    """Token counting (outside the model lock) next to encoding, from many threads."""
    expected = tiny_encoder.count_truncated(TEXTS)
    vectors = tiny_encoder.encode(TEXTS)

    def work(i: int):
        return (tiny_encoder.count_truncated(TEXTS) if i % 2
                else tiny_encoder.encode(TEXTS))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(16)))
    for i, result in enumerate(results):
        if i % 2:
            assert result == expected
        else:
            np.testing.assert_allclose(result, vectors, atol=1e-6)


def test_concurrent_sessions_share_one_store(tiny_encoder, tmp_path) -> None:
    store = EmbeddingStore(tmp_path / "ws.sqlite")
    chunks = [TEXTS[i::4] for i in range(4)] + [TEXTS]
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda c: embed_with_store(tiny_encoder, c, store), chunks))
    for chunk, result in zip(chunks, results):
        np.testing.assert_allclose(result.vectors, tiny_encoder.encode(chunk), atol=1e-6)
    assert store.count(tiny_encoder.identity) == len(set(TEXTS))
    store.close()


@pytest.mark.app
def test_review_decisions_stay_in_their_session_and_catalog(tiny_bert_dir, workspace,
                                                            monkeypatch) -> None:
    """Issue 14.3: session A's accept never pins in B's lists, counts in B's tally or is
    undone by B's Undo, even when both catalogs use the same ids (row numbers here)."""
    from core.lists.review import ReviewStore, review_key

    a = _session(tiny_bert_dir, monkeypatch)
    b = _session(tiny_bert_dir, monkeypatch)
    for at, name, marker in ((a, "a.csv", "drive"), (b, "b.csv", "strip")):
        rows = make_csv_bytes([["title"], *[[f"{marker} {w} {i}"] for i, w in
                                            enumerate(["red", "blue", "green", "black"] * 3)]])
        at.file_uploader(key="catalog.upload").set_value((name, rows, "text/csv")).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        at.switch_page("pages/review.py").run()
        assert not at.exception, at.exception
    a.button(key="review.accept").click().run()
    assert not a.exception, a.exception
    cat_a, cat_b = (at.session_state["catalog.catalog"] for at in (a, b))
    assert list(cat_a.ids) == list(cat_b.ids) and cat_a.identity != cat_b.identity
    db = workspace / "catalog_similarity.sqlite"
    assert len(ReviewStore(db, review_key(cat_a), owner=None).pins()) == 1
    assert ReviewStore(db, review_key(cat_b), owner=None).decisions().empty
    b.run()
    tally_b = [str(c.value) for c in b.caption if "pairs decided" in str(c.value)]
    assert tally_b and "pairs decided in this session: 0" in tally_b[0] and "b.csv" in tally_b[0]
    b.button(key="review.undo").click().run()
    assert len(ReviewStore(db, review_key(cat_a), owner=None).pins()) == 1, \
        "B's Undo must not delete A's decision"
    # the same catalog in a third session: A's decision is still A's
    c = _session(tiny_bert_dir, monkeypatch)
    rows = make_csv_bytes([["title"], *[[f"drive {w} {i}"] for i, w in
                                        enumerate(["red", "blue", "green", "black"] * 3)]])
    c.file_uploader(key="catalog.upload").set_value(("a.csv", rows, "text/csv")).run()
    assert c.session_state["catalog.catalog"].identity == cat_a.identity
    c.switch_page("pages/review.py").run()
    assert any("pairs decided in this session: 0" in str(x.value) for x in c.caption)


@pytest.mark.app
def test_an_upload_is_embedded_anew_for_another_session_the_demo_is_shared(
        tiny_bert_dir, workspace, monkeypatch) -> None:
    """The embedding store is shared by every session: vectors of a catalog someone
    uploaded must not be found by another session uploading the same texts (a reused
    count, or the seconds embedding takes, would tell B that A has these products);
    A's own reload finds them; the public demo is embedded once for everyone."""
    a = _session(tiny_bert_dir, monkeypatch)
    a.switch_page("pages/neighbors.py").run()
    assert a.session_state["results"].embedded > 0  # the demo, first session
    b = _session(tiny_bert_dir, monkeypatch)
    b.switch_page("pages/neighbors.py").run()
    demo_b = b.session_state["results"]
    assert demo_b.embedded == 0 and demo_b.reused == len(b.session_state["catalog.catalog"])
    data = _catalog("SKU", "private-line")
    for at in (a, b):
        at.switch_page("pages/catalog.py").run()
        at.file_uploader(key="catalog.upload").set_value(("same.csv", data, "text/csv")).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        at.switch_page("pages/neighbors.py").run()
        assert not at.exception, at.exception
    got_a, got_b = (at.session_state["results"] for at in (a, b))
    assert (got_a.embedded, got_a.reused) == (12, 0)
    assert (got_b.embedded, got_b.reused) == (12, 0), "B must not reuse A's private vectors"
    assert got_a.key != got_b.key  # and no shared list, index or map keyed on them
    np.testing.assert_allclose(got_a.vectors, got_b.vectors, atol=1e-6)
    # A's reload (same token in the address) finds its own vectors again
    token = a.session_state["session.token"]
    again = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    again.query_params["s"] = token
    again.run()
    again.switch_page("pages/neighbors.py").run()
    assert not again.exception, again.exception
    assert again.session_state["catalog.catalog"].name == "same.csv"
    mine = again.session_state["results"]
    assert (mine.embedded, mine.reused) == (0, 12)


def _model_choices(at: AppTest) -> list[str]:
    return list(at.sidebar.selectbox(key="settings.model_choice").options)


@pytest.mark.app
def test_a_model_fine_tuned_in_one_session_is_that_sessions_alone(tiny_bert_dir, workspace,
                                                                  monkeypatch) -> None:
    """A model fine-tuned on A's catalog (and named in A's picker) was listed in every
    other session's model picker and could be used there, its folder name easy to guess
    (<base>-ft-v1). It is A's alone: listed and loaded only under A's address (a reload, or
    after A's Start over); a model made by the command line stays everyone's."""
    a = _session(tiny_bert_dir, monkeypatch)
    rows = "".join(f"A{i},red lamp model x{i}\nB{i},lamp x{i} in red\n" for i in range(20))
    a.file_uploader(key="catalog.upload").set_value(
        ("twins.csv", f"id,title\n{rows}".encode(), "text/csv")).run()
    a.switch_page("pages/finetune.py").run()
    pairs = "a,b,match\n" + "".join(f"A{i},B{i},yes\n" for i in range(20))
    a.file_uploader(key="finetune.pairs").set_value(("p.csv", pairs.encode(), "text/csv"))
    a.number_input(key="finetune.epochs").set_value(1)
    a.checkbox(key="finetune.keep_always").check().run()
    a.button(key="finetune.start").click().run()
    job = a.session_state["finetune.job"]
    job.join(timeout=300)
    assert job.result is not None and job.result.kept, (job.status, job.error)
    folder = str(job.result.folder.resolve())
    shown = f"Fine-tuned: {model_display_name(job.result.folder)}"  # A's own v1
    cli_made = workspace / "models" / "shared-ft-v1"  # no owner: the command line's
    shutil.copytree(tiny_bert_dir, cli_made)
    a.run()
    assert shown in _model_choices(a) and "Fine-tuned: shared-ft-v1" in _model_choices(a)

    b = _session(tiny_bert_dir, monkeypatch)
    assert shown not in _model_choices(b), "B's picker lists A's model"
    assert "Fine-tuned: shared-ft-v1" in _model_choices(b)
    b.sidebar.selectbox(key="settings.model_choice").set_value("other").run()
    b.sidebar.text_input(key="settings.model_other").input(folder).run()
    b.switch_page("pages/neighbors.py").run()
    assert not b.exception, b.exception
    assert "was made by someone else on this server" in element_texts(b.error)
    assert b.button(key="model_fallback.results")  # the way out: the bundled model

    token = a.session_state["session.token"]
    again = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    again.query_params["s"] = token  # A reloads: the model is still A's
    again.run()
    assert shown in _model_choices(again)
    again.button(key="session.start_over").click().run()
    assert not again.exception and not again.error, element_texts(again.error)
    assert again.session_state["session.token"] != token
    again.run()
    assert shown in _model_choices(again), "A's own model is kept through Start over"
    old = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=240)
    old.query_params["s"] = token  # whoever still holds A's old address
    old.run()
    assert shown not in _model_choices(old)
