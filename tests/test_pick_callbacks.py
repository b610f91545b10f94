"""Picking every kind, pick and key callbacks through real interactor events, and ``view`` keeping the camera.

Issue 22: ``fig.pick((x, y))`` names the world position, the layer and its
item for every kind; ``fig.on_pick`` / ``fig.on_key`` react to clicks and keys
from the app's 3-D view, an off-screen interactor or a script; ``view()``
keeps every camera argument not given (mlab's meaning).
"""

from __future__ import annotations

import numpy as np
import pytest

from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.layers import Points
from brainview.layers.registry import KINDS
from brainview.scene import Figure


def _drawn_pixel(figure, layer):
    """A pixel well inside the layer's picture: the drawn pixel nearest the centre of mass of the drawn ones."""
    figure.bgcolor = "black"
    image = figure.screenshot().astype(int)
    drawn = image.sum(axis=2) > 0
    assert drawn.any(), f"{layer.kind}: nothing drawn"
    from scipy.ndimage import binary_erosion

    inner = binary_erosion(drawn, iterations=2)  # off the rims, where a pixel centre may miss
    drawn = inner if inner.any() else drawn
    rows, cols = np.nonzero(drawn)
    centre = np.array([rows.mean(), cols.mean()])
    nearest = np.argmin((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2)
    return float(cols[nearest]), float(rows[nearest])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pick_names_the_layer_its_position_and_its_item_for_every_kind(kind):
    figure = Figure(size=(160, 160), antialias=False)
    try:
        layer = figure.add(KINDS[kind].make_example())
        figure.view("superior")
        xy = _drawn_pixel(figure, layer)
        result = figure.pick(xy)
        assert result.layer is layer
        assert result.world_xyz is not None and np.all(np.isfinite(result.world_xyz))
        assert result.item_info, f"{kind}: the pick names no item"
        assert result.item == next(iter(result.item_info.values()))
        assert figure.pick(*xy) == result  # the two spellings agree
    finally:
        figure.close()


def test_pick_item_of_a_marker_and_of_a_voxel_is_the_one_at_that_position():
    from brainview.layers import Slices

    figure = Figure(size=(200, 200), antialias=False)
    try:
        data = np.zeros((10, 10, 10), np.float32)
        data[...] = np.arange(10)[:, None, None]
        affine = np.diag([2.0, 2.0, 2.0, 1.0])
        figure.add(Slices((data, affine), axes="z", coords=(0, 0, 8)))
        figure.add(Points([[4.0, 10.0, 30.0], [14.0, 4.0, 30.0]], size=3))
        figure.view("superior")
        figure.render()
        from vtkmodules.vtkRenderingCore import vtkCoordinate

        def pixel(xyz):
            coordinate = vtkCoordinate()
            coordinate.SetCoordinateSystemToWorld()
            coordinate.SetValue(*xyz)
            x, y = coordinate.GetComputedDoubleDisplayValue(figure.renderer)
            return x, figure.window.GetSize()[1] - 1 - y

        assert figure.pick(pixel((14.0, 4.0, 30.0))).item_info == {"marker": 1}
        assert figure.pick(pixel((6.0, 12.0, 8.0))).item_info == {"voxel": (3, 6, 4)}
    finally:
        figure.close()


@pytest.fixture
def offscreen_interactor():
    """A function binding an off-screen VTK interactor to a figure; detached afterwards (the pool
    reuses the window, which must not keep a pointer to a deleted interactor)."""
    made = []

    def make(figure):
        interactor = _offscreen_interactor(figure)
        made.append(interactor)
        return interactor

    yield make
    for interactor in made:
        window = interactor.GetRenderWindow()
        if window is not None:
            window.SetInteractor(None)
        interactor.SetRenderWindow(None)


def _offscreen_interactor(figure):
    from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera
    from vtkmodules.vtkRenderingCore import vtkRenderWindowInteractor

    from brainview.render.events import bind_interactor

    interactor = vtkRenderWindowInteractor()
    interactor.SetRenderWindow(figure.window)
    interactor.SetInteractorStyle(vtkInteractorStyleTrackballCamera())
    bind_interactor(figure, interactor)
    return interactor


def _vtk_click(interactor, x, y, *, release_at=None):
    height = interactor.GetRenderWindow().GetSize()[1]
    interactor.SetEventInformation(int(x), int(height - 1 - y), 0, 0)
    interactor.InvokeEvent("LeftButtonPressEvent")
    rx, ry = release_at or (x, y)
    interactor.SetEventInformation(int(rx), int(height - 1 - ry), 0, 0)
    interactor.InvokeEvent("MouseMoveEvent")
    interactor.InvokeEvent("LeftButtonReleaseEvent")


def test_a_click_through_a_vtk_interactor_calls_on_pick_with_the_marker_and_a_drag_does_not(offscreen_interactor):
    figure = Figure(size=(120, 120), antialias=False)
    try:
        figure.add(Points([[0, 0, 0]], size=40, name="ball"))
        figure.view("superior")
        figure.render()
        picked = []
        figure.on_pick(picked.append)
        interactor = offscreen_interactor(figure)
        _vtk_click(interactor, 60, 60)
        assert len(picked) == 1 and picked[0].item_info == {"marker": 0} and picked[0].layer.name == "ball"
        _vtk_click(interactor, 60, 60, release_at=(90, 60))  # a drag rotates: no pick
        assert len(picked) == 1
        _vtk_click(interactor, 2, 2)  # the background: an empty result
        assert len(picked) == 2 and picked[1].world_xyz is None
    finally:
        figure.close()


def test_a_key_through_a_vtk_interactor_calls_on_key_with_what_is_under_the_mouse(offscreen_interactor):
    figure = Figure(size=(120, 120), antialias=False)
    try:
        figure.add(Points([[0, 0, 0]], size=40))
        figure.view("superior")
        figure.render()
        events = []
        figure.on_key("d", events.append)
        interactor = offscreen_interactor(figure)
        height = figure.window.GetSize()[1]
        interactor.SetEventInformation(60, height - 1 - 60, 0, 0, "d", 0, "d")
        interactor.InvokeEvent("KeyPressEvent")
        interactor.SetEventInformation(60, height - 1 - 60, 0, 0, "e", 0, "e")
        interactor.InvokeEvent("KeyPressEvent")  # no callback for "e"
        assert [event.key for event in events] == ["d"]
        assert events[0].pick().item_info == {"marker": 0}
    finally:
        figure.close()


def test_select_red_balls_ports_in_a_few_lines():
    """Mayavi's "select_red_balls" example: clicking a red ball reports which one."""
    rng = np.random.default_rng(0)
    centres = rng.uniform(-40, 40, size=(6, 3))
    red = np.array([True, False, True, False, True, False])
    figure = Figure(size=(160, 160), antialias=False)
    try:
        balls = figure.add(Points(centres, size=12, color=["red" if r else "white" for r in red]))
        figure.view("superior")
        chosen = []
        figure.on_pick(lambda r: chosen.append(r.item) if r.layer is balls and red[r.item] else None)
        figure.render()
        for index in np.flatnonzero(red):
            from vtkmodules.vtkRenderingCore import vtkCoordinate

            coordinate = vtkCoordinate()
            coordinate.SetCoordinateSystemToWorld()
            coordinate.SetValue(*centres[index] + [0, 0, 0])
            x, y = coordinate.GetComputedDoubleDisplayValue(figure.renderer)
            figure.click((x, figure.window.GetSize()[1] - 1 - y))
        assert sorted(chosen) == sorted(np.flatnonzero(red).tolist())
    finally:
        figure.close()


def test_callbacks_are_checked_and_can_be_removed():
    figure = Figure(size=(40, 40))
    try:
        with pytest.raises(BrainviewTypeError, match="callback"):
            figure.on_pick("print")
        with pytest.raises(BrainviewValueError, match="key"):
            figure.on_key("", print)
        with pytest.raises(BrainviewValueError, match="pixel"):
            figure.pick(("a", 3))
        calls = []
        callback = figure.on_key("r", calls.append)
        figure.remove_callback(callback)
        figure.press_key("r")
        assert calls == []
        with pytest.raises(BrainviewValueError, match="not a pick or key callback"):
            figure.remove_callback(callback)
    finally:
        figure.close()


def _figure_with_two_points():
    figure = Figure(size=(100, 100))
    figure.add(Points([[-50, 0, 0], [50, 0, 0]], size=10))
    return figure


def test_view_with_focalpoint_and_distance_after_a_named_view_keeps_its_direction():
    figure = _figure_with_two_points()
    try:
        figure.view("anterior")
        figure.render()
        figure.view(focalpoint=(0, 10, 0), distance=300)
        azimuth, elevation, distance, focal = figure.view()
        assert (azimuth, elevation, distance) == pytest.approx((90, 90, 300))
        assert focal == pytest.approx((0, 10, 0))
        # Not yet rendered: a second call keeps the first's request too.
        figure.view(azimuth=0)
        figure.view(elevation=45)
        azimuth, elevation, distance, focal = figure.view()
        assert (azimuth, elevation, distance) == pytest.approx((0, 45, 300), abs=1e-6)
        assert focal == pytest.approx((0, 10, 0))
    finally:
        figure.close()


def test_view_with_no_argument_returns_the_view_and_moves_nothing():
    figure = _figure_with_two_points()
    try:
        figure.view("left")
        before = figure.camera
        view = figure.view()
        assert view[:2] == pytest.approx((180, 90))
        assert figure.camera == before
    finally:
        figure.close()


def test_a_named_view_frames_again_unless_distance_is_given():
    figure = _figure_with_two_points()
    try:
        figure.view("superior", distance=1000)
        assert figure.view()[2] == pytest.approx(1000)
        figure.view("left")  # a preset: framed again
        assert figure.view()[2] < 1000
    finally:
        figure.close()


# ---------------------------------------------------------------- the notebook widget (jupyter_rfb)


@pytest.fixture
def widget_figure():
    pytest.importorskip("jupyter_rfb")
    from brainview.render.notebook import figure_widget

    figure = Figure(size=(100, 100), antialias=False)
    figure.add(Points([[-25, 0, 0], [25, 0, 0]], size=20))
    figure.view("superior")
    widget = figure_widget(figure)
    yield figure, widget
    figure.close()


def _pointer(widget, kind, x, y, buttons=(1,)):
    widget.handle_event({"type": f"pointer_{kind}", "x": x, "y": y, "button": 1, "buttons": buttons})


def test_notebook_widget_click_calls_on_pick_at_device_pixels_after_a_resize(widget_figure):
    figure, widget = widget_figure
    picked = []
    figure.on_pick(picked.append)
    widget.handle_event({"type": "resize", "width": 50, "height": 50, "ratio": 2.0})  # 100x100 device px
    frame = widget.get_frame()
    assert frame.shape == (100, 100, 3)
    figure.render()
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    coordinate.SetValue(25, 0, 0)
    x, y = coordinate.GetComputedDoubleDisplayValue(figure.renderer)
    logical = (x / 2, (99 - y) / 2)  # the browser speaks logical pixels
    _pointer(widget, "down", *logical)
    _pointer(widget, "up", *logical, buttons=())
    assert len(picked) == 1 and picked[0].item_info == {"marker": 1}


def test_notebook_widget_drag_rotates_wheel_zooms_and_keys_are_vtk_names(widget_figure):
    figure, widget = widget_figure
    picked, keys = [], []
    figure.on_pick(picked.append)
    figure.on_key("Up", keys.append)
    figure.render()
    before = figure.view()
    _pointer(widget, "down", 50, 50)
    widget.handle_event({"type": "pointer_move", "x": 70, "y": 50, "buttons": (1,)})
    _pointer(widget, "up", 70, 50, buttons=())
    after = figure.view()
    assert picked == []  # a drag is no click
    assert after[2] == pytest.approx(before[2]) and not np.allclose(after[:2], before[:2])
    widget.handle_event({"type": "wheel", "dx": 0, "dy": -100, "x": 50, "y": 50})
    assert figure.view()[2] == pytest.approx(after[2] / 1.1)
    widget.handle_event({"type": "key_down", "key": "ArrowUp", "modifiers": ()})
    assert [event.key for event in keys] == ["Up"]


def test_widget_without_jupyter_rfb_names_the_extra(monkeypatch):
    import sys

    from brainview.errors import BrainviewImportError
    from brainview.render import notebook

    monkeypatch.setitem(sys.modules, "jupyter_rfb", None)
    monkeypatch.setattr(notebook, "_CLASS", [])
    figure = Figure(size=(40, 40))
    try:
        with pytest.raises(BrainviewImportError, match=r"brainview\[notebook\]"):
            figure.widget()
    finally:
        figure.close()
