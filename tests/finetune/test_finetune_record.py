"""The last fine-tuning run as the app keeps it in the session's folder (core.finetune.record,
SessionStore.keep_finetune_run, components.finetune_job.FinetuneJob.record): it reads back
whole, and a file of another shape is refused rather than taken as paths or figures."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from components.finetune_job import FinetuneJob
from core.finetune.record import result_from_dict, result_to_dict
from core.finetune.settings import FinetuneResult, FinetuneSettings, RetrievalMetrics
from core.finetune.weight import ListScore, WeightChoice
from core.workspace import SessionStore, Workspace, new_session_token


def _result(folder) -> FinetuneResult:
    scores = [tuple(ListScore(w, r1, r1 + 0.1, r1 + 0.05, 10, 30) for w, r1 in rows)
              for rows in (((0.4, 0.70), (0.7, 0.767)), ((0.4, 0.867), (0.7, 0.833)))]
    return FinetuneResult(RetrievalMetrics(0.5, 0.8, 0.6, 10, 30),
                          RetrievalMetrics(0.7, 0.9, 0.75, 10, 30), True, folder, 12, 41.5,
                          60.25, 180, "all-MiniLM-L6-v2", FinetuneSettings(epochs=1),
                          notes=("calibration refitted",),
                          weight_choice=WeightChoice(0.4, 0.7, *scores),
                          config={"hybrid_weight": 0.4}, epochs_run=1,
                          phase_seconds={"training": 41.5})


def test_a_result_reads_back_whole_through_json(tmp_path):
    result = _result(tmp_path / "models" / "shop-ft-v1-0a1b2c3d")
    data = json.loads(json.dumps(result_to_dict(result)))
    assert data["folder"] == "shop-ft-v1-0a1b2c3d"  # its name only, never a path
    assert result_from_dict(data, tmp_path / "models") == result
    assert result_from_dict(data, tmp_path / "elsewhere").folder == \
        tmp_path / "elsewhere" / "shop-ft-v1-0a1b2c3d"
    not_kept = replace(result, kept=False, folder=None, weight_choice=None, before=None)
    assert result_from_dict(result_to_dict(not_kept), tmp_path) == not_kept


@pytest.mark.parametrize("change", [
    {"folder": "../../etc"}, {"folder": "/etc/passwd"}, {"folder": ".hidden"},
    {"folder": "a/b"}, {"folder": 3}, {"folder": None}, {"kept": "yes"},
    {"steps": True}, {"steps": "12"}, {"train_seconds": "41"}, {"notes": [1]},
    {"before": {"recall_at_1": "0.5"}}, {"weight_choice": {"weight": 0.4}},
    {"weight_choice": {"weight": 0.4, "current_weight": 0.7, "before": [], "after": []}},
    {"settings": {"epochs": 0}}, {"settings": ["epochs"]}, {"config": 3},
])
def test_a_result_of_another_shape_is_refused(tmp_path, change):
    data = {**result_to_dict(_result(tmp_path / "m")), **change}
    assert result_from_dict(data, tmp_path) is None
    assert result_from_dict([data], tmp_path) is None
    del data["steps"]
    assert result_from_dict(data, tmp_path) is None


def test_the_session_folder_keeps_the_last_run_until_forgotten(tmp_path):
    store = SessionStore(Workspace(tmp_path), new_session_token())
    assert store.finetune_run() is None
    store.keep_finetune_run({"outcome": "running", "started_at": "2026-12-05T10:00:00+00:00"})
    assert store.finetune_run()["outcome"] == "running"
    store.root.joinpath("finetune.json").write_text("[1, 2]")  # not a run: nothing
    assert store.finetune_run() is None
    store.root.joinpath("finetune.json").write_text("{not json")
    assert store.finetune_run() is None
    store.keep_finetune_run(None)
    assert not store.root.joinpath("finetune.json").exists()


def test_a_kept_run_is_tied_to_its_model(tmp_path):
    models = tmp_path / "models"
    folder = models / "shop-ft-v1-0a1b2c3d"
    folder.mkdir(parents=True)
    (folder / "card.json").write_text(json.dumps({"owner": "me", "created": "2026-12-05T10:09"}))
    job = FinetuneJob("all-MiniLM-L6-v2", 180, result=_result(folder),
                      finished_at="2026-12-05T10:09:30+00:00", model_created="2026-12-05T10:09")
    record = json.loads(json.dumps(job.record()))
    back = FinetuneJob.from_record(record, models, "me")
    assert back.result == job.result and back.finished_at == job.finished_at
    assert not back.running and not back.interrupted and not back.model_gone()
    assert back.gone_reason() is None
    # another session's folder by that name is not this work's model
    other = FinetuneJob.from_record(record, models, "someone else")
    assert other.model_gone() and other.gone_reason() == "replaced"
    # made again under the same name (a later model): not the one these figures describe
    (folder / "card.json").write_text(json.dumps({"owner": "me", "created": "2026-12-06T08:00"}))
    again = FinetuneJob.from_record(record, models, "me")
    assert again.model_gone() and again.gone_reason() == "replaced"
    (folder / "card.json").unlink()  # deleted
    deleted = FinetuneJob.from_record(record, models, "me")
    assert deleted.model_gone() and deleted.gone_reason() == "deleted"
    running = {**record, "outcome": "running", "result": None}
    assert FinetuneJob.from_record(running, models, "me").interrupted
    for bad in ({**record, "outcome": "done"}, {**record, "train_pairs": "180"},
                {**record, "result": {"kept": True}}, {**record, "started_at": None}):
        assert FinetuneJob.from_record(bad, models, "me") is None
