"""Rendering: image regression, live traits, exact output sizes, and figure lifetime."""

import gc
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import brainview as bv
from brainview.scene import LIVE_WINDOWS

from conftest import compare_to_baseline, image_difference, read_png, smooth_sphere_phantom

GRID = np.array([[2.0, 0, 0, -40], [0, 2, 0, -40], [0, 0, 2, -40], [0, 0, 0, 1]])


@pytest.fixture(scope="module")
def phantom():
    """Two overlapping balls of different sizes on a 41^3, 2 mm grid (float32, mm distances)."""
    big = smooth_sphere_phantom(GRID, (-8, 0, 0), 18, shape=(41, 41, 41))
    small = smooth_sphere_phantom(GRID, (16, 10, 12), 9, shape=(41, 41, 41))
    return np.maximum(big, small), GRID


def _contour_scene(fig, phantom):
    contour = bv.contour(phantom, level=0.0, color="orange", opacity=1.0)
    slices = bv.slices(phantom, coords=(0, 0, -10), axes="z", cmap="gray", clim=(-20, 18))
    fig.view(azimuth=210, elevation=60)
    return contour, slices


# ------------------------------------------------------------ image regression


def test_regression_contour_and_slice(fig, phantom):
    _contour_scene(fig, phantom)
    compare_to_baseline(fig.screenshot(), "contour_slice")


def test_regression_volume_rendering(fig, phantom):
    bv.volume(phantom, cmap="hot", clim=(0, 18), opacity=0.5)
    fig.view("anterior")
    compare_to_baseline(fig.screenshot(), "volume_hot")


def test_regression_points(fig):
    coords = np.array([[-40.0, 0, 0], [0, 40, 0], [0, 0, 40], [30, -30, -30]])
    bv.points(coords, size=[10, 14, 18, 22], color=["red", "lime", "blue", "white"])
    fig.view("superior")
    compare_to_baseline(fig.screenshot(), "points")


def test_comparator_fails_on_a_changed_image(fig, phantom):
    contour, _ = _contour_scene(fig, phantom)
    reference = fig.screenshot()
    assert image_difference(reference, reference.copy()) == 0.0
    contour.color = "blue"
    assert image_difference(fig.screenshot(), reference) > 0.002
    contour.color = "orange"
    shifted = np.roll(reference, 12, axis=1)
    assert image_difference(shifted, reference) > 0.002
    assert image_difference(reference[:-1], reference) == 1.0
    with pytest.raises(AssertionError, match="differs from its baseline"):
        compare_to_baseline(shifted, "contour_slice")


# ------------------------------------------------------------ live traits


def _changed_fraction(image, reference):
    """Fraction of pixels whose colour moved by more than 8 levels in some channel."""
    return float(np.mean(np.abs(image.astype(int) - reference).max(axis=2) > 8))


def _changes(fig, layer, trait, value):
    before = fig.screenshot()
    original = getattr(layer, trait)
    setattr(layer, trait, value)
    after = fig.screenshot()
    setattr(layer, trait, original)
    restored = fig.screenshot()
    return _changed_fraction(after, before), _changed_fraction(restored, before)


@pytest.mark.parametrize("trait, value", [("level", 6.0), ("opacity", 0.3), ("visible", False),
                                          ("color", (0.2, 0.4, 1.0))])
def test_contour_traits_update_the_image(fig, phantom, trait, value):
    contour, _ = _contour_scene(fig, phantom)
    changed, restored = _changes(fig, contour, trait, value)
    assert changed > 0.005 and restored == 0.0


@pytest.mark.parametrize("trait, value", [("clim", (10, 18)), ("opacity", 0.1), ("visible", False),
                                          ("blending", "mip"), ("cmap", "viridis")])
def test_volume_traits_update_the_image(fig, phantom, trait, value):
    layer = bv.volume(phantom, cmap="hot", clim=(0, 18), opacity=0.5)
    changed, restored = _changes(fig, layer, trait, value)
    assert changed > 0.005 and restored == 0.0


@pytest.mark.parametrize("trait, value", [("z", 20.0), ("clim", (0, 5)), ("axes", "x"),
                                          ("opacity", 0.2), ("visible", False)])
def test_slices_traits_update_the_image(fig, phantom, trait, value):
    _, slices = _contour_scene(fig, phantom)
    changed, restored = _changes(fig, slices, trait, value)
    assert changed > 0.001 and restored == 0.0


def test_slices_bounds_are_not_collapsed(fig, phantom):
    """Each plane spans the image's world box in its own plane; together, the whole box."""
    from brainview.layers import Slices

    box = np.array(bv.io.load_image(phantom).world_bounds())
    drawer = fig.drawer(fig.add(Slices(phantom, coords=(0, 0, -10))))
    np.testing.assert_allclose(drawer.bounds(), box, atol=1e-6)
    for axis, index in (("x", 0), ("y", 1)):
        plane = np.array(drawer.actors[axis].GetBounds()).reshape(3, 2)
        assert plane[2, 1] - plane[2, 0] == pytest.approx(box[5] - box[4])  # z not collapsed
        assert plane[index, 0] == plane[index, 1]
    axial = fig.drawer(fig.add(Slices(phantom, coords=(0, 0, -10), axes="z")))
    assert axial.bounds()[4:] == (-10.0, -10.0)


@pytest.mark.parametrize("mode", ["slices", "stat_map"])
def test_slices_scene_is_centred(phantom, mode):
    """The planes, drawn opaque on white, fill a box centred in the image."""
    figure = bv.figure(size=(400, 400), bgcolor="white", antialias=False)
    try:
        if mode == "slices":
            bv.slices(phantom, cmap="gray", clim=(-60, 18))
        else:
            bv.stat_map(phantom, mode="slices", bg=phantom, threshold=5.0)
        bv.view(azimuth=210, elevation=60)
        pixels = figure.screenshot().astype(int)
    finally:
        bv.close(figure)
    drawn = np.any(pixels < 250, axis=2)
    rows, columns = np.nonzero(drawn.any(axis=1))[0], np.nonzero(drawn.any(axis=0))[0]
    centre = np.array([(rows.min() + rows.max()) / 2, (columns.min() + columns.max()) / 2])
    assert np.abs(centre - 200).max() < 20
    assert rows.max() - rows.min() > 250 or columns.max() - columns.min() > 250  # no empty band


def test_plane_outside_image_warns(fig, phantom):
    slices = bv.slices(phantom, coords=(0, 0, 0))
    with pytest.warns(bv.BrainviewWarning, match=r"z: the plane at 90 mm is outside the image") as caught:
        slices.z = 90.0
        slices.z = 95.0  # still outside: no second warning
    assert len(caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slices.z = 0.0
    with pytest.warns(bv.BrainviewWarning, match="outside"):
        slices.z = -90.0  # outside again: warns again
    with pytest.warns(bv.BrainviewWarning, match="x: the plane"):
        bv.slices(phantom, coords=(200, 0, 0))


def test_figure_fires_changed_when_a_trait_changes(fig, phantom):
    contour, _ = _contour_scene(fig, phantom)
    events = []
    fig.observe(lambda event: events.append(event), "changed")
    contour.opacity = 0.5
    assert events


# ------------------------------------------------------------ output


@pytest.mark.parametrize("size", [(800, 600), (123, 457)])
def test_savefig_writes_the_exact_size(tmp_path, phantom, size):
    bv.figure(size=size)
    bv.contour(phantom, level=0.0)
    path = tmp_path / "out.png"
    bv.savefig(path)
    assert read_png(path).shape == (size[1], size[0], 3)
    bv.savefig(tmp_path / "other.jpg", size=(64, 32))
    assert (tmp_path / "other.jpg").stat().st_size > 0
    image = bv.screenshot()
    assert image.shape == (size[1], size[0], 3) and image.dtype == np.uint8
    assert bv.screenshot(size=(50, 40)).shape == (40, 50, 3)
    bv.close("all")


def test_savefig_rejects_unknown_formats(fig, tmp_path):
    with pytest.raises(bv.BrainviewValueError, match=r"\.png or \.jpg"):
        bv.savefig(tmp_path / "out.bmpx")


def test_title_text_and_colorbar_are_drawn(fig, phantom):
    layer = bv.volume(phantom, cmap="hot", clim=(0, 18))
    plain = fig.screenshot()
    bv.title("Phantom")
    bv.colorbar(layer, title="mm")
    bv.text("corner", position=(0.02, 0.02))
    annotated = fig.screenshot()
    # Title band at the top and colour bar on the right changed.
    assert np.abs(annotated[:40].astype(int) - plain[:40]).sum() > 0
    assert np.abs(annotated[:, 350:].astype(int) - plain[:, 350:]).sum() > 0


# ------------------------------------------------------------ lifetime


def _rss_mb():
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def test_close_all_frees_every_window(phantom):
    small = (phantom[0][::2, ::2, ::2].copy(), phantom[1] @ np.diag([2, 2, 2, 1.0]))

    def cycle():
        bv.figure(size=(64, 64))
        bv.contour(small, level=0.0)
        bv.screenshot()
        bv.close("all")

    for _ in range(5):
        cycle()
    gc.collect()
    start = _rss_mb()
    for _ in range(50):
        cycle()
    gc.collect()
    assert bv.get_fignums() == []
    assert len(LIVE_WINDOWS) == 0
    assert _rss_mb() - start < 60, "50 open/close cycles must not keep growing memory"


def test_closed_figure_refuses_work():
    fig = bv.figure(size=(32, 32))
    bv.close(fig)
    assert fig.closed
    with pytest.raises(bv.BrainviewValueError, match="closed"):
        fig.screenshot()
    with pytest.raises(bv.BrainviewValueError, match="no open figure number 99"):
        bv.close(99)
    with pytest.raises(bv.BrainviewTypeError, match="fig"):
        bv.close(3.5)


# ------------------------------------------------------------ files that cannot hurt (issue 11)


@pytest.mark.parametrize("scale", [2.0 ** 100, 2.0 ** -100, 1e30, 1e-30])
def test_huge_or_tiny_values_are_not_a_black_surface(phantom, scale):
    """|values| near 1e30 overflowed float32 normals (zero normals: a black surface); now
    the data and the level are scaled together, giving the surface of the unscaled data."""
    from brainview.layers import Contour

    data, affine = phantom
    plain = Contour((data, affine), level=2.0, smooth=5)
    scaled = Contour(((data.astype(np.float64) * scale).astype(np.float32), affine), level=2.0 * scale,
                     smooth=5)
    normals = np.asarray(scaled.mesh.point_data["Normals"])
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)
    if np.log2(scale).is_integer():  # a power of two scales exactly: the very same surface
        np.testing.assert_array_equal(scaled.mesh.points, plain.mesh.points)
        np.testing.assert_array_equal(scaled.mesh.point_data["level"], plain.mesh.point_data["level"] * scale)
    else:
        np.testing.assert_allclose(scaled.mesh.points, plain.mesh.points, atol=1e-3)


def test_huge_values_render_as_bright_as_plain_ones(fig, phantom):
    data, affine = phantom
    bv.contour((data, affine), level=2.0, color="white")
    plain = fig.screenshot()
    bv.clf()
    bv.contour((data * np.float32(1e30), affine), level=2e30, color="white")
    assert image_difference(fig.screenshot(), plain) < 0.01


@pytest.mark.parametrize("smooth, message", [(10 ** 6, "at most 1000"), (True, "got True"),
                                             (-1, ">= 0"), (2.5, ">= 0")])
def test_smooth_million_is_refused_instead_of_hanging(phantom, smooth, message):
    from brainview.layers import Contour

    with pytest.raises(bv.BrainviewError, match=f"smooth: .*{message}"):
        Contour(phantom, smooth=smooth)
    layer = Contour(phantom, level=0.0)
    with pytest.raises(ValueError, match="smooth"):
        layer.smooth = 10 ** 6
    assert layer.smooth == 0 and layer.get_params()["smooth"] == 0


def test_isosurface_refuses_a_huge_smoothing_count(phantom):
    from brainview.geometry.volume import MAX_SMOOTH, isosurface

    with pytest.raises(ValueError, match=f"smooth: at most {MAX_SMOOTH}"):
        isosurface(bv.io.load_image(phantom), [0.0], smooth=MAX_SMOOTH + 1)


def test_volume_with_nothing_above_clim_warns_naming_it(phantom):
    from brainview.layers import Volume

    with pytest.warns(bv.BrainviewWarning, match=r"clim: no value of 'blob' is above clim\[0\] = 50.*invisible"):
        layer = Volume(phantom, clim=(50, 60), name="blob")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.clim = (0, 10)
    with pytest.warns(bv.BrainviewWarning, match="invisible"):
        layer.clim = (40, 41)


def test_slices_all_outside_the_image_warn_once_naming_the_layer(phantom):
    from brainview.layers import Slices

    with pytest.warns(bv.BrainviewWarning) as caught:
        layer = Slices(phantom, coords=(500, 500, 500), name="anat")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "'anat'" in message and "nothing is drawn" in message and "coords=(" in message
    with pytest.warns(bv.BrainviewWarning) as caught:
        layer.coords = (0, 0, 0)
        layer.coords = (-500, -500, -500)
    assert len(caught) == 1


# ------------------------------------------------------------ the figure as a model


def test_huge_figure_is_refused_instead_of_aborting_the_process():
    """Bug: a 16384 x 16384 figure aborted the process (SIGABRT) inside OpenGL."""
    from brainview.scene import MAX_PIXELS, MAX_SIDE, Figure

    for size in [(16384, 16384), (MAX_SIDE + 1, 10), (8000, 8000)]:
        with pytest.raises(bv.BrainviewValueError, match=r"size: width and height must be 1\.\.8192 pixels "
                                                          r"and width x height at most 40,000,000"):
            Figure(size=size)
    assert (MAX_SIDE, MAX_PIXELS) == (8192, 40_000_000)
    fig = Figure(size=(40, 30))
    with pytest.raises(bv.BrainviewValueError, match=r"size: width and height must be 1\.\.8192"):
        fig.size = (16384, 16384)
    with pytest.raises(bv.BrainviewValueError, match=r"size x scale: width and height must be 1\.\.8192"):
        fig.screenshot(size=(4000, 4000), scale=4)
    assert fig.size == (40, 30) and fig.screenshot().shape == (30, 40, 3)
    fig.close()


def test_very_long_title_is_refused_instead_of_aborting_the_process(fig):
    """Bug: a 20,000-character title at size 500 aborted the process inside FreeType."""
    title = fig.title("short")
    for make in (lambda: fig.title("x" * 20_000, size=500), lambda: fig.text("x" * 2001)):
        with pytest.raises(bv.BrainviewValueError, match="text: at most 2000 characters"):
            make()
    with pytest.raises(bv.BrainviewValueError, match="text: at most 2000 characters"):
        title.text = "x" * 20_000
    assert title.text == "short" and fig.annotations == [title]
    fig.text("y" * 2000)  # the limit itself is drawn
    assert fig.screenshot().shape == (400, 400, 3)


def test_size_bgcolor_and_antialias_are_live_traits_with_events(fig, phantom):
    seen = []
    fig.observe(lambda event: seen.append((event.name, event.new)), "size, bgcolor, antialias")
    fig.size = (64, 48)
    fig.bgcolor = "white"
    fig.antialias = True
    assert seen == [("size", (64, 48)), ("bgcolor", (1.0, 1.0, 1.0)), ("antialias", True)]
    assert fig.screenshot().shape == (48, 64, 3) and bool(fig.renderer.GetUseFXAA())
    with pytest.raises(bv.BrainviewValueError, match=r"size: expected \(width, height\) in pixels"):
        fig.size = "big"
    with pytest.raises(bv.BrainviewValueError, match="bgcolor"):
        fig.bgcolor = "not a colour"
    with pytest.raises(bv.BrainviewTypeError, match="antialias: expected True or False"):
        fig.antialias = "yes"
    assert (fig.size, fig.bgcolor, fig.antialias) == ((64, 48), (1.0, 1.0, 1.0), True)


def test_white_background_turns_titles_and_colorbar_labels_black(fig, phantom):
    slices = bv.slices(phantom, cmap="gray", clim=(-20, 18))
    title, bar = fig.title("t"), fig.colorbar(slices)
    red = fig.text("red", color="red")
    fig.bgcolor = "white"
    assert title.actor.GetTextProperty().GetColor() == (0.0, 0.0, 0.0)
    assert bar.actor.GetLabelTextProperty().GetColor() == (0.0, 0.0, 0.0)
    assert red.actor.GetTextProperty().GetColor() == (1.0, 0.0, 0.0)
    fig.bgcolor = "black"
    assert title.actor.GetTextProperty().GetColor() == (1.0, 1.0, 1.0)


def test_camera_changed_fires_once_per_new_pose(fig, phantom):
    bv.contour(phantom, level=0.0)
    poses = []
    fig.observe(lambda event: poses.append(event.new), "camera_changed")
    fig.screenshot()  # the first render frames the camera: one new pose
    assert len(poses) == 1 and poses[0] == fig.camera
    fig.screenshot()  # the same pose again (only the clipping range is recomputed)
    assert len(poses) == 1
    pose = {"position": (0, -300, 0), "focal_point": (0, 0, 0), "view_up": (0, 0, 1), "view_angle": 30.0}
    fig.camera = pose
    assert len(poses) == 2 and poses[1]["position"] == (0.0, -300.0, 0.0)
    fig.renderer.GetActiveCamera().Azimuth(30)  # moved directly (the app's mouse, a movie)
    assert len(poses) == 3 and poses[2] == fig.camera


def test_annotation_and_colorbar_models_need_no_figure(phantom):
    from brainview.layers import Slices
    from brainview.scene import Annotation, ColorBar

    note = Annotation("title", "hello", size=20)
    assert note.actor is None and note.spec()["text"] == "hello"
    with pytest.raises(bv.BrainviewValueError, match="kind: expected 'title' or 'text'"):
        Annotation("caption", "hello")
    bar = ColorBar(Slices(phantom, clim=(0, 8)), n_labels=3)
    assert bar.actor is None and bar.labels == ["0", "4", "8"]
