"""Figures of one thread reuse one off-screen OpenGL window in turn: same pixels, one context.

A closed figure's window is kept for the next figure of its thread (a new
context costs its buffers and every shader compiled again). Reuse must never
show in a picture, a pick, another thread or a forked process.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import brainview as bv
from brainview.render import windows as pool
from brainview.layers import Slices
from brainview.scene import Figure, release_spare_window, windows_made


def _scene_a():
    bv.figure(size=(120, 90), bgcolor="white")
    bv.points(np.zeros((1, 3)), size=30, color="red", opacity=0.5)
    bv.title("A")


def _scene_b():
    """Translucent sheets, a colour bar and text: state a previous figure might leave behind."""
    rng = np.random.default_rng(3)
    bv.figure(size=(100, 80), antialias=True)
    bv.points(rng.normal(0, 10, (40, 3)), size=6, values=rng.normal(size=40), cmap="RdBu_r",
              opacity=0.6)
    bv.points([[0.0, 0.0, 0.0]], size=40, color="yellow", opacity=0.3)
    bv.colorbar()
    bv.text("B", position=(0.05, 0.05))
    bv.view("left")


def _picture(build):
    build()
    image = bv.screenshot()
    bv.close()
    return image


def test_reused_window_draws_the_pixels_of_a_fresh_one():
    release_spare_window()
    fresh = _picture(_scene_b)
    _picture(_scene_a)  # leaves its window, another size, background and scene behind
    made = windows_made()
    reused = _picture(_scene_b)
    assert windows_made() == made, "the second figure opened a window instead of reusing one"
    np.testing.assert_array_equal(reused, fresh)


def test_a_loop_of_figures_opens_one_window():
    release_spare_window()
    made = windows_made()
    for _ in range(5):
        _picture(_scene_a)
    assert windows_made() - made == 1


def test_release_frees_the_kept_window_and_the_next_figure_opens_one():
    _picture(_scene_a)
    assert release_spare_window() is True
    assert release_spare_window() is False
    made = windows_made()
    _picture(_scene_a)
    assert windows_made() - made == 1


def _ramp_figure():
    i, j, _ = np.indices((21, 31, 11))
    fig = Figure(size=(100, 100), antialias=False)
    fig.add(Slices(((100.0 * i + j).astype(np.float32), np.diag([2.0, 2.0, 2.0, 1.0])), axes="z",
                   coords=(20, 30, 10), name="ramp"))
    fig.view("superior")
    fig.camera  # framed (as the app does when it shows the pose) but not drawn
    return fig


def test_pick_in_a_reused_window_draws_the_figure_first():
    release_spare_window()
    fig = _ramp_figure()
    fresh = fig.pick(50, 50)  # never drawn: the pick renders it first
    fig.close()
    _picture(_scene_a)  # a window that has drawn, kept
    fig = _ramp_figure()
    reused = fig.pick(50, 50)  # never drawn either, in a window that has: it must still render it
    fig.close()
    assert fresh.values and reused.values == fresh.values
    np.testing.assert_allclose(reused.world_xyz, fresh.world_xyz)


def test_other_threads_never_get_this_threads_window():
    _picture(_scene_a)  # this thread now keeps a window
    results = []

    def elsewhere():
        try:
            made = windows_made()
            results.append((_picture(_scene_a), windows_made() - made))
        finally:
            release_spare_window()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(timeout=60)
    image, made = results[0]
    assert made == 1  # its own context
    np.testing.assert_array_equal(image, _picture(_scene_a))


def test_a_window_kept_by_another_process_is_not_reused(monkeypatch):
    """After fork() the child inherits the parent's kept window, whose context is the parent's."""
    _picture(_scene_a)
    window, pid = pool._SPARE.window
    monkeypatch.setattr(pool._SPARE, "window", (window, pid + 1))  # as a forked child sees it
    made = windows_made()
    _picture(_scene_a)
    assert windows_made() - made == 1
    window.Finalize()


def test_huge_windows_are_not_kept(monkeypatch):
    monkeypatch.setattr(pool, "_SPARE_MAX_PIXELS", 100 * 80 - 1)
    release_spare_window()
    _picture(_scene_b)  # 100 x 80 pixels: one too many
    assert release_spare_window() is False


@pytest.mark.parametrize("size", [(64, 48), (48, 64)])
def test_reused_window_takes_each_figures_size(size):
    _picture(_scene_a)
    bv.figure(size=size)
    bv.points(np.zeros((1, 3)), size=10)
    assert bv.screenshot().shape == (size[1], size[0], 3)
    bv.close()


def test_kept_window_belongs_to_this_process():
    _picture(_scene_a)
    assert pool._SPARE.window[1] == os.getpid()
