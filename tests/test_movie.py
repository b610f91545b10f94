"""Movies: frame count, fps, first frame, padding, GIF delays, callback, interrupt, keyframes."""

from __future__ import annotations

import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewValueError
from brainview.export.movie import write_movie
from brainview.layers import Points

imageio = pytest.importorskip("imageio")
pytest.importorskip("imageio_ffmpeg")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def scene():
    """A small figure with three coloured balls, so that every turn of the camera shows."""
    fig = bv.figure(size=(96, 72), antialias=False)
    fig.add(Points([[0, 0, 0], [40, 0, 0], [0, 30, 10]], size=14, values=[0.0, 0.5, 1.0],
                   name="dots"))
    yield fig
    bv.close("all")


@pytest.fixture
def no_system_ffmpeg(monkeypatch):
    """No ffmpeg on PATH and no IMAGEIO_FFMPEG_EXE: only the bundled binary can work."""
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)


def read_mp4(path):
    reader = imageio.get_reader(str(path), format="FFMPEG")
    try:
        return [np.asarray(frame) for frame in reader], reader.get_meta_data()
    finally:
        reader.close()


def camera_position(fig):
    return np.array(fig.renderer.GetActiveCamera().GetPosition())


def test_mp4_has_n_frames_at_fps_with_first_frame_of_screenshot(scene, tmp_path, no_system_ffmpeg):
    expected_first = scene.screenshot()
    path = tmp_path / "spin.mp4"
    bv.movie(path, orbit=360, n_frames=12, fps=24, progress=False)
    frames, meta = read_mp4(path)
    assert len(frames) == 12
    assert meta["fps"] == pytest.approx(24)
    assert frames[0].shape == (72, 96, 3)
    assert np.abs(frames[0].astype(int) - expected_first).mean() < 3  # H.264 is lossy
    assert np.abs(frames[3].astype(int) - expected_first).mean() > 3  # the camera turned
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spin.mp4"]


def test_odd_size_is_padded_with_the_background_not_resampled(tmp_path, no_system_ffmpeg):
    fig = bv.figure(size=(33, 25), bgcolor="white", antialias=False)
    fig.add(Points([[0, 0, 0]], size=10, color="black"))
    still = fig.screenshot()
    write_movie(fig, tmp_path / "odd.mp4", orbit=90, n_frames=3, fps=10, progress=False)
    frames, _ = read_mp4(tmp_path / "odd.mp4")
    bv.close("all")
    assert frames[0].shape == (26, 34, 3)
    assert frames[0][:, -1].min() > 230 and frames[0][-1, :].min() > 230  # white padding
    assert np.abs(frames[0][:25, :33].astype(int) - still).mean() < 4  # same pixels, not rescaled


def test_gif_frame_delays_are_exact(scene, tmp_path):
    path = tmp_path / "spin.gif"
    bv.movie(path, orbit=360, n_frames=8, fps=20, progress=False)
    with Image.open(path) as gif:
        assert gif.n_frames == 8
        delays = []
        for index in range(gif.n_frames):
            gif.seek(index)
            delays.append(gif.info["duration"])
    assert delays == [50] * 8


@pytest.mark.parametrize("fps, nearest", [(24, "25 or 20"), (100, "50"), (30, "33.33 or 25")])
def test_gif_fps_it_cannot_store_exactly_is_refused_naming_the_nearest(scene, tmp_path, fps, nearest):
    with pytest.raises(BrainviewValueError, match=f"fps: .*use {nearest} "):
        bv.movie(tmp_path / "x.gif", orbit=360, n_frames=4, fps=fps, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_callback_is_called_once_per_frame(scene, tmp_path):
    calls = []
    bv.movie(tmp_path / "spin.gif", orbit=180, n_frames=5, fps=25, progress=False,
             callback=lambda frame, n_frames: calls.append((frame, n_frames)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


@pytest.mark.parametrize("name", ["spin.mp4", "spin.gif"])
def test_interrupt_leaves_no_file_and_the_figure_as_it_was(scene, tmp_path, name):
    scene.screenshot()
    before = camera_position(scene)

    def interrupt(frame, n_frames):
        if frame == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bv.movie(tmp_path / name, orbit=360, n_frames=10, fps=20, callback=interrupt,
                 progress=False)
    assert list(tmp_path.iterdir()) == []
    assert np.allclose(camera_position(scene), before)


def test_orbit_turns_the_camera_evenly_around_the_focal_point(scene, tmp_path):
    scene.screenshot()  # frames the camera
    positions = []
    write_movie(scene, tmp_path / "spin.gif", orbit=360, n_frames=8, fps=20, progress=False,
                callback=lambda frame, n: positions.append(camera_position(scene)))
    camera = scene.renderer.GetActiveCamera()
    focal, up = np.array(camera.GetFocalPoint()), np.array(camera.GetViewUp())
    offsets = np.array(positions) - focal
    assert np.allclose(np.linalg.norm(offsets, axis=1), np.linalg.norm(offsets[0]))
    flat = offsets - np.outer(offsets @ up, up)  # the turn is about the view-up axis
    cosines = np.sum(flat[1:] * flat[:-1], axis=1) / np.linalg.norm(flat[0]) ** 2
    assert np.allclose(cosines, np.cos(np.radians(45)))
    assert np.allclose(camera_position(scene), positions[0])  # restored after the movie


def test_keyframes_interpolate_camera_and_numeric_traits_then_restore(scene, tmp_path):
    from brainview.geometry.camera import camera_pose

    layer = scene.layers[0]
    scene.screenshot()
    before = camera_position(scene)
    seen = []

    def record(frame, n_frames):
        seen.append((layer.opacity, layer.cmap.name, camera_position(scene)))

    write_movie(scene, tmp_path / "grow.gif", n_frames=5, fps=10, progress=False, callback=record,
                keyframes=[{"camera": "left", "dots.opacity": 1.0, "dots.cmap": "viridis"},
                           {"dots.opacity": 0.5},
                           {"camera": "superior", "dots.opacity": 0.2, "dots.cmap": "hot"}])
    assert [round(s[0], 6) for s in seen] == [1.0, 0.75, 0.5, 0.35, 0.2]
    assert [s[1] for s in seen] == ["viridis"] * 4 + ["hot"]  # not numbers: switch at the keyframe
    camera = scene.renderer.GetActiveCamera()
    aspect = 96 / 72
    for pose, position in [("left", seen[0][2]), ("superior", seen[-1][2])]:
        expected = camera_pose(pose, bounds=scene.bounds(), view_angle=camera.GetViewAngle(),
                               aspect=aspect)
        assert np.allclose(position, expected.position)
    assert layer.opacity == 1.0 and layer.cmap.name == "viridis"
    assert np.allclose(camera_position(scene), before)


@pytest.mark.parametrize("key, match", [
    ("brain.opacity", r"no layer named 'brain'.*'dots'"),
    ("dots.opacty", r"layer 'dots' has no trait 'opacty'.*cmap.*opacity"),
    ("opacity", r"unknown key 'opacity'.*'<layer name>.<trait>'"),
])
def test_keyframe_unknown_layer_or_trait_lists_the_valid_ones(scene, tmp_path, key, match):
    with pytest.raises(BrainviewValueError, match=match):
        bv.movie(tmp_path / "x.gif", keyframes=[{key: 1}, {key: 0.5}], n_frames=3, fps=10)
    assert list(tmp_path.iterdir()) == []


def test_bad_requests_are_refused_with_the_fix(scene, tmp_path):
    with pytest.raises(BrainviewValueError, match="orbit, keyframes: give one of them"):
        bv.movie(tmp_path / "x.mp4", n_frames=3)
    with pytest.raises(BrainviewValueError, match="orbit, keyframes: give one of them"):
        bv.movie(tmp_path / "x.mp4", orbit=10, keyframes=[{}, {}], n_frames=3)
    with pytest.raises(BrainviewValueError, match=r"path: cannot write '\.avi' movies"):
        bv.movie(tmp_path / "x.avi", orbit=10)
    with pytest.raises(BrainviewValueError, match="path: the folder .* does not exist"):
        bv.movie(tmp_path / "missing" / "x.mp4", orbit=10)
    with pytest.raises(BrainviewValueError, match="n_frames: expected an integer >= 2"):
        bv.movie(tmp_path / "x.gif", keyframes=[{}, {}], n_frames=1, fps=10)
    with pytest.raises(BrainviewValueError, match="keyframes: expected a list of at least two"):
        bv.movie(tmp_path / "x.gif", keyframes=[{"camera": "left"}], n_frames=3, fps=10)
    with pytest.raises(BrainviewValueError, match="view: unknown view 'lef'"):
        bv.movie(tmp_path / "x.gif", keyframes=[{"camera": "lef"}, {}], n_frames=3, fps=10)
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_counts_frames_on_stderr(scene, tmp_path, capsys):
    bv.movie(tmp_path / "spin.gif", orbit=90, n_frames=3, fps=25, progress=True)
    assert "3/3" in capsys.readouterr().err
    bv.movie(tmp_path / "spin.gif", orbit=90, n_frames=3, fps=25, progress=False)
    assert capsys.readouterr().err == ""


def test_blended_translucency_is_used_for_frames_and_stays_close_to_peeling(tmp_path, no_system_ffmpeg):
    """Movies draw translucent surfaces in one blended pass (4x faster in software OpenGL)."""
    from brainview.export.movie import write_movie

    fig = bv.figure(size=(96, 80), antialias=False)
    ijk = np.indices((20, 20, 20)) - 9.5
    ball = (7.0 - np.sqrt((ijk ** 2).sum(0))).astype(np.float32)
    bv.contour((ball, np.eye(4) * 2 + np.diag([0, 0, 0, -1])), level=0.0, color="orange", opacity=0.4)
    bv.points([[18.0, 18, 18]], size=12, color="cyan")
    frames = {}
    for mode in ("peeled", "blended"):
        def grab(frame, n_frames, mode=mode):
            frames.setdefault(mode, []).append(
                (bool(fig.renderer.GetUseDepthPeeling()), fig.screenshot().astype(int)))
        write_movie(fig, tmp_path / f"{mode}.gif", orbit=90, n_frames=2, fps=20, translucency=mode,
                    callback=grab, progress=False)
    assert [peeling for peeling, _ in frames["peeled"]] == [True, True]
    assert [peeling for peeling, _ in frames["blended"]] == [False, False]  # VTK's OIT pass instead
    difference = np.abs(frames["peeled"][1][1] - frames["blended"][1][1]).mean()
    assert difference < 2.0, difference
    assert fig.renderer.GetUseDepthPeeling()  # the figure's own setting is back
    with pytest.raises(BrainviewValueError, match="translucency"):
        write_movie(fig, tmp_path / "x.gif", orbit=90, n_frames=2, fps=20, translucency="fast")
    bv.close("all")


# ---------------------------------------------------------------- issue 23: hostile requests


def test_gif_of_a_billion_frames_holds_every_frame_in_memory(scene, tmp_path):
    from brainview.errors import MemoryBudgetError

    with pytest.raises(MemoryBudgetError, match=r"n_frames: a GIF of 1000000000 frames of 96x72 needs .*GiB.*\.mp4"):
        write_movie(scene, tmp_path / "long.gif", orbit=360, n_frames=10**9, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps", [0, -1, float("nan"), float("inf"), 1e9, 1e-9, "fast"])
def test_mp4_with_odd_fps_raises_raw_oserror(scene, tmp_path, fps):
    from brainview.errors import BrainviewError

    with pytest.raises(BrainviewError, match="fps"):
        write_movie(scene, tmp_path / "odd.mp4", orbit=90, n_frames=2, fps=fps, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["out.mp4", "out.gif"])
def test_movie_output_that_is_a_directory_raises_raw_oserror(scene, tmp_path, name):
    (tmp_path / name).mkdir()
    with pytest.raises(BrainviewValueError, match=rf"path: '.*{name}' is a folder; name a movie file inside it"):
        write_movie(scene, tmp_path / name, orbit=90, n_frames=2, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_movie_the_encoder_cannot_write_is_a_brainview_oserror(scene, tmp_path, monkeypatch):
    from brainview.export import movie

    def failing_replace(source, target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(movie.os, "replace", failing_replace)
    with pytest.raises(movie.MovieWriteError, match=r"could not write the movie .*Permission denied") as caught:
        write_movie(scene, tmp_path / "spin.mp4", orbit=90, n_frames=2, progress=False)
    assert isinstance(caught.value, OSError)
    assert list(tmp_path.iterdir()) == []  # the temporary file is removed


def test_16384_square_mp4_aborts(tmp_path):
    # A 16384x16384 figure is refused when made (brainview.render.windows); a figure the
    # window allows can still be too large for H.264 (level 6.2: 139,264 macroblocks).
    with pytest.raises(BrainviewValueError, match="16384"):
        bv.figure(size=(16384, 16384))
    fig = bv.figure(size=(8192, 4800))
    fig.add(Points([[0, 0, 0], [30, 0, 0]], size=10))
    try:
        with pytest.raises(BrainviewValueError, match=r"fig: a 8192x4800 figure is too large for an MP4"):
            write_movie(fig, tmp_path / "huge.mp4", orbit=90, n_frames=2, progress=False)
    finally:
        bv.close("all")
    assert list(tmp_path.iterdir()) == []
