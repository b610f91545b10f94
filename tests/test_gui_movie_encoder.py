"""A movie recorded in the app: the GUI thread neither probes, starts, feeds nor waits for ffmpeg (issue 24).

The event loop's longest gap during a movie is measured in
``scripts/benchmarks/app.py``, never here.
"""

from __future__ import annotations

import subprocess
import threading

import numpy as np
import pytest

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402

imageio = pytest.importorskip("imageio")
imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")


@pytest.fixture
def processes(monkeypatch):
    """``[(what, thread name, command, keywords or process)]`` for each process started or waited for."""
    calls = []

    class Spy(subprocess.Popen):
        def __init__(self, args, *rest, **kwargs):
            calls.append(("start", threading.current_thread().name, list(args), kwargs))
            super().__init__(args, *rest, **kwargs)
            calls.append(("started", threading.current_thread().name, list(args), self))

        def wait(self, timeout=None):
            calls.append(("wait", threading.current_thread().name, list(self.args), {}))
            return super().wait(timeout)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    return calls


def test_app_movie_probes_starts_and_waits_for_ffmpeg_off_the_gui_thread(open_window, qtbot, tmp_path,
                                                                          processes):
    from imageio_ffmpeg import _utils

    from brainview.export.encoders import THREAD_NAME

    # Forget the binary found by earlier tests: this movie is the process's first (it probes ffmpeg).
    _utils._get_ffmpeg_exe.cache_clear()
    win = open_window((160, 120), (700, 500))
    win.figure.add(bv.layers.Points([[-40, 0, 0], [40, 0, 0], [0, 30, 0]], size=24, color="orange", name="dots"))
    win.render_now()
    png = tmp_path / "view.png"
    win.figure.savefig(png)  # at the figure's size, as the movie's frames
    target = tmp_path / "spin.mp4"
    assert win.record_movie(str(target), orbit=90, n_frames=3, fps=10) is True

    threads = {(what, name) for what, name, _, _ in processes}
    assert threading.main_thread().name not in {name for _, name in threads}, processes
    probes = [call for call in processes if call[0] == "start" and "-version" in call[2]]
    encoders = [call for call in processes if call[0] == "start" and str(target.name) in " ".join(call[2])]
    assert probes and {call[1] for call in probes} == {"brainview-movie-prepare"}
    assert len(encoders) == 1 and encoders[0][1] == THREAD_NAME
    assert encoders[0][3].get("preexec_fn") is None  # vfork + exec, no fork of the app's process
    assert ("wait", THREAD_NAME) in threads  # the flush at the end waited there

    reader = imageio.get_reader(str(target), format="FFMPEG")
    try:
        frames = [np.asarray(frame) for frame in reader]
    finally:
        reader.close()
    shown = imageio.v3.imread(png)[..., :3]
    assert len(frames) == 3
    assert frames[0].shape == shown.shape
    assert np.abs(frames[0].astype(int) - shown).mean() < 3  # the first frame is the PNG (H.264 is lossy)
    assert (np.abs(frames[2].astype(int) - shown).max(axis=2) > 60).mean() > 0.01  # then the camera turns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spin.mp4", "view.png"]


def test_closing_the_window_during_an_mp4_movie_kills_ffmpeg_and_leaves_no_file(qtbot, tmp_path, processes):
    from PyQt5 import QtCore, QtWidgets

    from brainview.export.encoders import THREAD_NAME
    from brainview.gui.window import MainWindow

    figure = bv.Figure(size=(64, 48), antialias=False)
    win = MainWindow(figure)  # not given to qtbot: closing deletes it
    win.resize(700, 500)
    win.show()
    qtbot.waitExposed(win)
    win.figure.add(bv.layers.Points([[-30, 0, 0], [30, 0, 0]], size=16, color="orange", name="dots"))
    started = []

    def close_once_ffmpeg_runs():
        recording = isinstance(QtWidgets.QApplication.activeModalWidget(), QtWidgets.QProgressDialog)
        if recording and any(name == THREAD_NAME for what, name, _, _ in processes if what == "start"):
            started.append(True)
            win.close()
        else:
            QtCore.QTimer.singleShot(10, close_once_ffmpeg_runs)

    QtCore.QTimer.singleShot(0, close_once_ffmpeg_runs)
    written = win.record_movie(str(tmp_path / "closed.mp4"), orbit=360, n_frames=500, fps=24)
    figure.close()
    assert started and written is False
    assert list(tmp_path.iterdir()) == [], "no movie, no partial file"
    ffmpeg = [process for what, name, _, process in processes if what == "started" and name == THREAD_NAME]
    assert len(ffmpeg) == 1 and ffmpeg[0].returncode is not None  # stopped and reaped, not left running
