"""The movie encoder's thread: ffmpeg started (vfork), fed and flushed off the caller's thread; errors and stops.

How long the app's event loop waits during a movie is measured in
``scripts/benchmarks/app.py`` (issue 24), never here.
"""

from __future__ import annotations

import subprocess
import threading
import time

import numpy as np
import pytest

import brainview as bv
from brainview.export import encoders
from brainview.export.encoders import EncoderThread, GifEncoder, Mp4Encoder
from brainview.export.movie import prepare_encoder, write_movie
from brainview.layers import Points

imageio = pytest.importorskip("imageio")
pytest.importorskip("imageio_ffmpeg")


@pytest.fixture
def ffmpeg_calls(monkeypatch):
    """``[(what, thread name, keywords)]`` for each start of a process and each wait for one."""
    calls = []

    class Spy(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            calls.append(("start", threading.current_thread().name, kwargs))
            super().__init__(*args, **kwargs)

        def wait(self, timeout=None):
            calls.append(("wait", threading.current_thread().name, {}))
            return super().wait(timeout)

    monkeypatch.setattr(encoders.subprocess, "Popen", Spy)
    return calls


def frames(n, size=(32, 24)):
    return [np.full((size[1], size[0], 3), 40 * index % 256, dtype=np.uint8) for index in range(n)]


def read_mp4(path):
    reader = imageio.get_reader(str(path), format="FFMPEG")
    try:
        return [np.asarray(frame) for frame in reader]
    finally:
        reader.close()


def test_write_movie_starts_feeds_and_waits_for_ffmpeg_on_the_encoder_thread_never_the_callers(
        tmp_path, ffmpeg_calls):
    prepare_encoder("spin.mp4")  # the probe of the binary (`ffmpeg -version`, once per process)
    ffmpeg_calls.clear()
    fig = bv.figure(size=(48, 32), antialias=False)
    fig.add(Points([[0, 0, 0], [30, 0, 0]], size=10, values=[0.0, 1.0]))
    try:
        write_movie(fig, tmp_path / "spin.mp4", orbit=90, n_frames=3, fps=10, progress=False)
    finally:
        bv.close("all")
    starts = [call for call in ffmpeg_calls if call[0] == "start"]
    assert len(starts) == 1
    assert {name for _, name, _ in ffmpeg_calls} == {encoders.THREAD_NAME}
    # No preexec_fn: Python starts ffmpeg with vfork + exec instead of forking this process.
    assert starts[0][2].get("preexec_fn") is None
    assert starts[0][2]["start_new_session"] is True  # Ctrl-C in a terminal reaches Python only
    assert len(read_mp4(tmp_path / "spin.mp4")) == 3


def test_encoder_thread_writes_every_frame_in_order(tmp_path):
    exe = prepare_encoder(tmp_path / "grey.mp4")
    encoder = EncoderThread(Mp4Encoder(exe, tmp_path / "grey.mp4", (32, 24), 10.0))
    for pixels in frames(5):
        encoder.write(pixels)
    encoder.close()
    written = read_mp4(tmp_path / "grey.mp4")
    assert np.allclose([frame.mean() for frame in written], [0, 40, 80, 120, 160], atol=3)  # yuv420p rounds
    assert not encoder.thread.is_alive()


def test_ffmpeg_that_fails_is_an_oserror_with_its_message_in_the_caller(tmp_path):
    exe = prepare_encoder("spin.mp4")
    target = tmp_path / "no such folder" / "spin.mp4"
    encoder = EncoderThread(Mp4Encoder(exe, target, (32, 24), 10.0))
    with pytest.raises(OSError, match=r"ffmpeg exited with status \d+: .*No such file or directory"):
        for pixels in frames(200):  # the error comes at a write once ffmpeg has gone, or at close
            encoder.write(pixels)
        encoder.close()
    assert not encoder.thread.is_alive()


def test_stopping_the_encoder_kills_ffmpeg_and_ends_its_thread(tmp_path, ffmpeg_calls):
    exe = prepare_encoder("spin.mp4")
    mp4 = Mp4Encoder(exe, tmp_path / "stopped.mp4", (32, 24), 10.0)
    encoder = EncoderThread(mp4)
    for pixels in frames(2):
        encoder.write(pixels)
    encoder.abort()  # no error: the caller stopped it
    assert not encoder.thread.is_alive()
    assert mp4.process is None or mp4.process.poll() is not None


def test_stopping_a_gif_writes_nothing(tmp_path):
    encoder = EncoderThread(GifEncoder(tmp_path / "stopped.gif", (32, 24), 25))
    for pixels in frames(3):
        encoder.write(pixels)
    encoder.abort()
    assert not encoder.thread.is_alive()
    assert list(tmp_path.iterdir()) == []


def test_the_caller_waits_with_its_own_function_only_when_max_pending_frames_are_queued():
    gate, received = threading.Event(), []

    class Held:
        """An encoder that takes no frame until the gate opens."""

        def start(self):
            gate.wait()

        def write(self, pixels):
            received.append(int(pixels[0, 0, 0]))

        def finish(self):
            received.append("finished")

        def abort(self):
            pass

        def stop(self):
            gate.set()

    asked = []

    def wait(until):  # the app answers its events here
        asked.append(until())
        gate.set()
        while not until():
            time.sleep(0.001)

    encoder = EncoderThread(Held(), wait=wait, max_pending=2)
    for pixels in frames(2):
        encoder.write(pixels)  # queued, no wait
    assert asked == [] and received == []
    for pixels in frames(4)[2:]:
        encoder.write(pixels)
    assert asked[0] is False  # the third frame waited for a place in the queue
    encoder.close()
    assert received == [0, 40, 80, 120, "finished"]
