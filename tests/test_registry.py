"""The one registry of kinds: every consumer loops over it, and every kind's declaration is whole."""

import importlib
import inspect

import numpy as np
import pytest

import brainview as bv
import brainview.layers
from brainview import pylab
from brainview.layers.base import Kind, Layer
from brainview.layers.registry import DRAWERS_3D, KINDS, LAYER_KINDS, kind_for_role, layer_class
from brainview.render.drawer import Drawer


def test_every_consumer_sees_exactly_the_registered_kinds():
    names = set(KINDS)
    assert names == set(LAYER_KINDS) == set(DRAWERS_3D)
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
