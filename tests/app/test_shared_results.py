"""Results shared by every session are made once at a time (components.resources).

People who open the same catalog together (after a server restart, or the demo) wait for
the first one's lists, map and vectors instead of making them again beside it; a page
that waits shows the maker's progress, and a maker that stops hands the work on.
"""

from __future__ import annotations

import threading
import time

import pytest

from components.resources import SharedResults


def _slow(calls: list, gate: threading.Event, value="made"):
    def make(report):
        calls.append(threading.current_thread().name)
        report(1, 4)
        gate.wait(5)
        report(3, 4)
        return value

    return make


def test_callers_missing_the_same_key_wait_for_one_maker_and_see_its_progress():
    shared, calls, gate = SharedResults(max_entries=4), [], threading.Event()
    seen: list[tuple] = []
    results: dict[str, object] = {}

    def first():
        results["first"] = shared.make_once("k", _slow(calls, gate))

    def second():
        results["second"] = shared.make_once("k", _slow(calls, gate),
                                             progress=lambda *r: seen.append(r))

    a = threading.Thread(target=first, name="first")
    a.start()
    while not calls:
        time.sleep(0.01)
    b = threading.Thread(target=second, name="second")
    b.start()
    time.sleep(0.6)  # the waiter polls every quarter second
    gate.set()
    a.join(5), b.join(5)
    assert calls == ["first"]  # made once
    assert results == {"first": "made", "second": "made"}
    assert (1, 4) in seen  # the maker's progress, shown to the one waiting
    assert shared.get("k") == "made"  # kept for the next caller
    assert shared.make_once("k", lambda _r: pytest.fail("made again")) == "made"


def test_a_maker_that_fails_hands_the_work_to_the_one_waiting():
    shared, gate, started = SharedResults(max_entries=4), threading.Event(), threading.Event()
    out: dict[str, object] = {}

    def failing(report):
        started.set()
        gate.wait(5)
        raise KeyboardInterrupt("page left")  # what stopping a page's script looks like

    def first():
        try:
            shared.make_once("k", failing)
        except KeyboardInterrupt as exc:
            out["first"] = str(exc)

    def second():
        out["second"] = shared.make_once("k", lambda _r: "made by the second")

    a = threading.Thread(target=first)
    a.start()
    started.wait(5)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.3)
    assert "second" not in out  # still waiting for the first
    gate.set()
    a.join(5), b.join(5)
    assert out == {"first": "page left", "second": "made by the second"}


def test_a_value_not_kept_reaches_the_waiters_only():
    shared, calls, gate = SharedResults(max_entries=4), [], threading.Event()
    out: list = []
    threads = [threading.Thread(target=lambda: out.append(
        shared.make_once("k", _slow(calls, gate), keep=False))) for _ in range(3)]
    for th in threads:
        th.start()
    time.sleep(0.3)
    gate.set()
    for th in threads:
        th.join(5)
    assert out == ["made"] * 3 and len(calls) == 1
    assert shared.get("k") is None  # not kept: the next caller makes it again
    assert shared.make_once("k", lambda _r: "again", keep=False) == "again"


def test_a_background_job_runs_once_to_the_end_and_is_kept():
    shared, gate, calls = SharedResults(max_entries=4), threading.Event(), []

    def job():
        calls.append(1)
        gate.wait(5)
        return "map"

    first = shared.in_background("m", job)
    second = shared.in_background("m", job)  # someone else asks meanwhile
    assert second is first and not first.done()
    assert first.started <= time.perf_counter()
    gate.set()
    assert first.result(5) == "map" and calls == [1]
    time.sleep(0.05)
    assert shared.get("m") == "map"
    assert shared.in_background("m", job).result(0) == "map" and calls == [1]
    assert shared.make_once("m", lambda _r: pytest.fail("made again")) == "map"


def test_a_background_job_that_fails_tells_whoever_waits_and_is_not_kept():
    shared = SharedResults(max_entries=4)

    def job():
        raise ValueError("no map")

    with pytest.raises(ValueError, match="no map"):
        shared.in_background("m", job).result(5)
    time.sleep(0.05)
    assert shared.in_background("m", lambda: "map").result(5) == "map"
