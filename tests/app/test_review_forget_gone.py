"""Review and Export: the decisions on products gone from the catalog can be forgotten, after a
confirmation that says how many (AppTest, tiny BERT)."""

from __future__ import annotations

import pytest

from tests.conftest import element_texts, make_csv_bytes, running_app

pytestmark = pytest.mark.app

IDS = [f"S{i}" for i in range(6)]
KINDS = ["tea", "tea", "lamp", "lamp", "cup", "cup"]
ROWS = [["sku", "title", "kind"], *[[i, f"{k} item {n}", k]
                                    for n, (i, k) in enumerate(zip(IDS, KINDS))]]


def test_decisions_on_products_gone_can_be_forgotten_on_purpose(tiny_bert_dir, tmp_path):
    """A merchandiser removed a product from the catalog: the decision on it was warned about
    on every visit to Review and Export, with no way to clear it but Start over (which
    forgets every decision). Now a button forgets just those, after asking; the decision on
    an edited product and the one that applies stay."""
    from core.lists.review import ReviewStore
    from core.workspace import Workspace

    def upload(name: str, table: list[list[str]]) -> None:
        at.switch_page("pages/catalog.py").run()
        at.file_uploader(key="catalog.upload").set_value(
            (name, make_csv_bytes(table), "text/csv")).run()
        assert not at.exception, at.exception

    def opened() -> bool:
        return next(e for e in at.expander if e.label == "See the decisions that are not "
                    "applied").proto.expanded

    def review_page() -> str:
        at.switch_page("pages/review.py").run()
        assert not at.exception, at.exception
        return element_texts(at.warning) + element_texts(at.success)

    with running_app(tiny_bert_dir, tmp_path / "ws", timeout=240) as at:
        upload("shop.csv", ROWS)
        db, owner = Workspace.default().db_path, at.session_state["session.token"]
        store = ReviewStore(db, at.session_state["catalog.catalog"], owner=owner)
        store.record("S0", "S1", "accept")
        store.record("S2", "S3", "reject")
        store.record("S4", "S5", "accept")
        ReviewStore(db, at.session_state["catalog.catalog"], owner="another").record(
            "S4", "S5", "reject")
        # v2: S5 removed for good, S2's title edited
        upload("shop v2.csv", [[*r[:1], r[1] + (" large" if r[0] == "S2" else ""), r[2]]
                               for r in ROWS if r[0] != "S5"])
        said = review_page()
        assert ("Earlier review decisions of yours that are not applied here: 2 (1 because a "
                "product's text was edited since, 1 because a product is no longer in the "
                "catalog)") in said, said

        shown = next(d.value for d in at.dataframe if "why" in d.value.columns)
        assert list(shown.columns)[:4] == ["left_id", "right_id", "decision", "why"]  # in view
        assert shown[["left_id", "right_id", "decision", "why", "left_title",
                      "right_title"]].values.tolist() == [
            ["S2", "S3", "Reject", "a product's text was edited since", "lamp item 2 large",
             "lamp item 3"],
            ["S4", "S5", "Accept", "a product is no longer in the catalog", "cup item 4", ""]]

        at.button(key="review.forget_gone").click().run()
        assert not at.exception, at.exception
        assert ("Forget your decisions on products no longer in the catalog (1)? They cannot "
                "be brought back.") in element_texts(at.warning)
        assert opened(), "the confirmation is in a closed expander"
        at.button(key="review.forget_gone.no").click().run()  # cancelled: nothing goes
        assert "They cannot be brought back" not in element_texts(at.warning)
        assert opened(), "the table closed on Cancel"
        assert len(ReviewStore(db, at.session_state["catalog.catalog"], owner=owner)
                   .not_applied()) == 2

        at.button(key="review.forget_gone").click().run()
        at.button(key="review.forget_gone.yes").click().run()
        assert not at.exception, at.exception
        said = element_texts(at.warning) + element_texts(at.success)
        assert "Decisions on products no longer in the catalog forgotten: 1." in said, said
        assert ("Earlier review decisions of yours that are not applied here: 1 (1 because a "
                "product's text was edited since)") in said, said
        assert not [b for b in at.button if b.key == "review.forget_gone"]

        cat = at.session_state["catalog.catalog"]
        left = ReviewStore(db, cat, owner=owner).not_applied()
        assert left[["left_id", "right_id", "reason"]].values.tolist() == [
            ["S2", "S3", "changed"]]
        assert ReviewStore(db, cat, owner=owner).pins() == [("S0", "S1")]
        assert ReviewStore(db, cat, owner="another").not_applied()["left_id"].tolist() == ["S4"]
        said = review_page()  # said once: the next visit shows only what is left
        assert "forgotten" not in said and "not applied here: 1 (" in said, said
