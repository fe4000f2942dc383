"""What an --engine ray job's parent passes on from the child's standard error
(core.cli.supervise.relay): everything but Ray's false alarm about the embedding actors."""

from __future__ import annotations

import io

from core.cli.supervise import relay

FALSE_ALARM = (b"[2026-12-05 10:47:19,487 E 7690 7690] core_worker.cc:2465: Actor with class "
               b"name: 'MapWorker(MapBatches(EmbedBatch))' and ID: '8c1217e86aa4de615d37f3d3010"
               b"00000' has constructor arguments in the object store and max_restarts > 0. If "
               b"the arguments in the object store go out of scope or are lost, the actor "
               b"restart will fail. See https://github.com/ray-project/ray/issues/53727 for "
               b"more details.\n")
GCS_LOST = (b"[2026-12-05 10:57:46,649 E 25716 25798] rpc_client.h:204: Failed to connect to "
            b"GCS within 15 seconds. GCS may have been killed. The program will terminate.\n")


class Chunks(io.RawIOBase):
    """A pipe that hands its bytes over in the given pieces (lines cut anywhere)."""

    def __init__(self, *pieces: bytes) -> None:
        self.pieces = list(pieces)

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""


def test_the_false_alarm_is_left_out_and_everything_else_passes() -> None:
    other_actor = FALSE_ALARM.replace(b"MapBatches(EmbedBatch)", b"MapBatches(Other)")
    text = GCS_LOST + FALSE_ALARM + other_actor + b"Fatal Python error: Aborted\n"
    for cut in (len(GCS_LOST) + 30, len(GCS_LOST) + len(FALSE_ALARM), 7):
        out = io.BytesIO()
        relay(Chunks(text[:cut], text[cut:]), out)
        assert out.getvalue() == GCS_LOST + other_actor + b"Fatal Python error: Aborted\n"


def test_an_unfinished_line_that_is_not_rays_is_passed_on_at_once() -> None:
    """A progress bar written to the raw stream ('\\r' and no newline) is not held back."""
    out = io.BytesIO()
    seen: list[bytes] = []

    class Watched(Chunks):
        def read1(self, size: int = -1) -> bytes:
            seen.append(out.getvalue())  # what was passed on before this read
            return super().read1(size)

    relay(Watched(b"\r 10%|#", b"#  | 2/20", b"\n"), out)
    assert seen[1] == b"\r 10%|#"
    assert out.getvalue() == b"\r 10%|##  | 2/20\n"


def test_an_unfinished_last_line_is_not_lost() -> None:
    out = io.BytesIO()
    relay(Chunks(GCS_LOST[:50]), out)
    assert out.getvalue() == GCS_LOST[:50]


def test_a_reader_that_went_away_does_not_stop_the_relay() -> None:
    """stderr piped into a program that ended: the child's pipe is still read to its end."""

    class Gone(io.BytesIO):
        def write(self, data: bytes) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    pipe = Chunks(GCS_LOST, b"x" * 100_000, b"\n")
    relay(pipe, Gone())
    assert pipe.pieces == []
