"""The one registry of kinds: every consumer loops over it, and every kind's declaration is whole."""

import importlib
import inspect
import os
import subprocess
import sys

import numpy as np
import pytest

import brainview as bv
import brainview.layers
from brainview import pylab
from brainview.layers.base import Kind, Layer
from brainview.layers.registry import (DRAWERS_3D, KINDS, LAYER_KINDS, PAINTERS_2D, kind_for_role, layer_class,
                                       painter_path)
from brainview.planes import PLANES, image_bounds, image_layers, plane_image, values_at
from brainview.render.drawer import Drawer


def test_every_consumer_sees_exactly_the_registered_kinds():
    names = set(KINDS)
    assert names == set(LAYER_KINDS) == set(DRAWERS_3D) == set(PAINTERS_2D)
    assert names <= set(pylab.__all__) and all(callable(getattr(bv, name)) for name in names)
    assert {kind.model.__name__ for kind in KINDS.values()} <= set(brainview.layers.__all__)
    assert all(getattr(brainview.layers, kind.model.__name__) is kind.model for kind in KINDS.values())
    assert all(layer_class(name) is kind.model for name, kind in KINDS.items())


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_kind_declares_a_layer_model_a_drawer_and_an_example(name):
    kind = KINDS[name]
    assert isinstance(kind, Kind) and issubclass(kind.model, Layer) and kind.model.kind == name
    module, _, cls = kind.drawer.partition(":")
    assert issubclass(getattr(importlib.import_module(module), cls), Drawer)
    args, options = kind.example()
    first, second = kind.example()
    assert inspect.signature(kind.model).bind(*args, **options)  # inputs the constructor takes
    assert repr(first) == repr(args) or all(a is not b for a, b in zip(first, args))  # fresh inputs each call


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_verb_is_generated_from_the_class_signature(name):
    verb, model = getattr(bv, name), KINDS[name].model
    if name == "stat_map":  # its own verb: a dict of maps makes a group, with masker= and selected=
        assert set(inspect.signature(model).parameters) <= set(inspect.signature(verb).parameters)
    else:
        assert inspect.signature(verb) == inspect.signature(model)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_example_draws_through_its_drawer(name):
    figure = bv.figure(size=(80, 60), antialias=False, bgcolor="black")
    try:
        layer = figure.add(KINDS[name].make_example())
        assert type(figure.drawer(layer)).__name__ == DRAWERS_3D[name].rpartition(":")[2]
        assert np.asarray(figure.screenshot()).max() > 0, f"the {name} example draws nothing"
    finally:
        bv.close(figure)


def test_file_roles_open_as_one_kind_each():
    roles = [role for kind in KINDS.values() for role in kind.roles]
    assert len(roles) == len(set(roles))
    assert kind_for_role("anatomy").name == "slices" and kind_for_role("map").name == "stat_map"
    assert kind_for_role("atlas").name == "atlas" and kind_for_role("surface").name == "surface"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_kind_painter_is_none_or_a_numpy_function_of_render(name):
    path = painter_path(name)
    assert path == KINDS[name].painter
    if path is None:
        # Kinds without a 2-D picture are left out of the plane images and their readings.
        assert not image_layers([KINDS[name].make_example()])
        return
    module, _, function = path.partition(":")
    assert module.startswith("brainview.render.") and callable(getattr(importlib.import_module(module), function))


def test_painters_load_neither_vtk_nor_qt():
    paths = sorted({path.partition(":")[0] for path in PAINTERS_2D.values() if path})
    code = ("import sys, importlib\n"
            f"for name in {paths!r}: importlib.import_module(name)\n"
            "print([m for m in sys.modules if m.split('.')[0] in ('vtkmodules', 'pyvista', 'PyQt5', 'pyvistaqt')])")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _shows(reading):
    """Whether a layer reads something at a point: a region of an atlas, a finite value otherwise."""
    return reading.region is not None if reading.kind == "atlas" else bool(np.isfinite(reading.value))


def _painted_point_nearest_centre(layer):
    """World mm of the voxel the layer's own painter colours nearest its image's centre, and that centre."""
    module, _, function = painter_path(layer.kind).partition(":")
    data, affine, paint = getattr(importlib.import_module(module), function)(layer)
    painted = np.argwhere(paint(np.asarray(data, float).ravel())[:, 3].reshape(data.shape) > 0)
    assert len(painted), f"the {layer.kind} example's painter colours no voxel"
    middle = (np.array(data.shape) - 1) / 2
    ijk = painted[np.argmin(((painted - middle) ** 2).sum(1))]
    return tuple(affine[:3, :3] @ ijk + affine[:3, 3]), tuple(affine[:3, :3] @ middle + affine[:3, 3])


@pytest.mark.parametrize("name", sorted(name for name, path in PAINTERS_2D.items() if path))
@pytest.mark.parametrize("plane", sorted(PLANES))
def test_every_painted_kind_example_paints_its_centre_in_each_plane(name, plane):
    layer = KINDS[name].make_example()
    point, centre = _painted_point_nearest_centre(layer)
    if name != "atlas":  # the atlas example's centre lies between its two regions (background)
        assert np.allclose(point, centre, atol=max(layer.image.voxel_sizes)), f"{name}: centre not painted"
    for where, must_paint in ((point, True), (centre, False)):
        image = plane_image([layer], plane, where[PLANES[plane][0]])
        column, row = (int(round(c)) for c in image.pixel_of(where))
        (reading,) = values_at([layer], where)
        assert reading.kind == name and reading.voxel is not None
        # The picture agrees with the reading (at these examples' points: all above their thresholds).
        assert (image.rgba[row, column, 3] > 0) == _shows(reading)
        assert _shows(reading) or not must_paint, f"the {name} example paints nothing at {where} ({plane})"
