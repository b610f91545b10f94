"""Replacing a layer's image by one of another dimensionality (issue 24: the panel's file field, a script).

Bug: a 4-D image could not be replaced by a 3-D one ("volume: only 4-D images have volumes to pick"),
``volume=None`` could not be set first (the current image is 4-D), and a 3-D layer refused a 4-D file.
The rule (brainview/layers/_live.py, ``ImageInputs``): a 3-D image sets ``volume`` to None, a 4-D image
while ``volume`` is None shows its first volume, a 4-D image without volume ``volume`` is refused with
the layer unchanged; ``trait_set(img=..., volume=...)`` sets the pair as given.
"""

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError
from brainview.layers import Slices

from test_live_params import SIZE, _IMAGE_KINDS, _four_d, _shifted
from test_api import AFFINE, _blob, _stat


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


def _data(kind):
    return _stat() if kind == "stat_map" else _blob()


def _shown(layer, camera=None):
    fig = bv.figure(size=SIZE, antialias=False)
    fig.add(layer)
    if camera is not None:
        fig.camera = camera
    return fig


def _watch(layer):
    """Every (trait, volume, image shape, volume parameter) the layer's observers of img/volume saw."""
    seen = []
    layer.observe(lambda e: seen.append((e.name, layer.volume, layer.image.shape, layer.get_params()["volume"])),
                  "img, volume")
    return seen


def _check_swap(kind, before, after, expected_volume):
    """``make(**before)`` then ``layer.img = after`` draws ``make(img=after, volume=expected_volume)``."""
    make = _IMAGE_KINDS[kind]
    expected_fig = _shown(make(img=after, volume=expected_volume))
    expected = expected_fig.screenshot()
    layer = make(**before)
    fig = _shown(layer, expected_fig.camera)
    first = fig.screenshot()
    seen = _watch(layer)
    layer.img = after
    assert not np.array_equal(first, expected), "the two images draw the same picture"
    np.testing.assert_array_equal(fig.screenshot(), expected)
    assert layer.volume == expected_volume and layer.get_params()["volume"] == expected_volume
    assert layer.get_params()["img"] is after
    # Observers never saw a mismatched pair; img then volume, each notified once.
    assert [name for name, *_ in seen] == ["img", "volume"]
    assert all(volume == expected_volume == param for _, volume, _, param in seen)
    assert all(shape == layer.image.shape for _, _, shape, _ in seen)
    return layer


@pytest.mark.parametrize("kind", sorted(_IMAGE_KINDS))
def test_a_3d_image_replaces_a_4d_one_and_volume_becomes_none(kind):
    four_d = (_four_d(_data(kind)), AFFINE)
    layer = _check_swap(kind, dict(img=four_d, volume=1), (_shifted(_data(kind), 2), AFFINE), None)
    assert layer.n_volumes == 1


@pytest.mark.parametrize("kind", sorted(_IMAGE_KINDS))
def test_a_4d_image_replaces_a_3d_one_at_its_first_volume(kind):
    four_d = (np.stack([_shifted(_data(kind), 2), _data(kind)], axis=-1), AFFINE)
    layer = _check_swap(kind, dict(img=(_data(kind), AFFINE)), four_d, 0)
    assert layer.n_volumes == 2
    layer.volume = 1  # the new series steps
    xyz = AFFINE[:3, :3] @ (4, 9, 9) + AFFINE[:3, 3]
    assert layer.value_at(xyz) == pytest.approx(float(_data(kind)[4, 9, 9])) != float(four_d[0][4, 9, 9, 0])


@pytest.mark.parametrize("kind", sorted(_IMAGE_KINDS))
def test_a_4d_image_without_the_shown_volume_is_refused_and_leaves_the_layer_unchanged(kind):
    data = _data(kind)
    four_d = (_four_d(data), AFFINE)
    layer = _IMAGE_KINDS[kind](img=four_d, volume=2)
    fig = _shown(layer)
    before, image = fig.screenshot(), layer.image
    seen = _watch(layer)
    for bad, message in [((np.stack([data, data], -1), AFFINE), r"has 2 volumes \(0..1\).*volume 2.*trait_set"),
                         ((data[..., None], AFFINE), r"has 1 volume \(0..0\)")]:
        with pytest.raises(BrainviewError, match=message):
            layer.img = bad
    with pytest.raises(BrainviewError, match="volume: must be an integer in 0..1"):
        layer.trait_set(img=(np.stack([data, data], -1), AFFINE), volume=5)
    assert layer.image is image and layer.volume == 2 and layer.n_volumes == 3 and seen == []
    assert layer.get_params()["img"] is four_d and layer.get_params()["volume"] == 2
    np.testing.assert_array_equal(fig.screenshot(), before)
    layer.volume = 0  # the kept series still steps
    assert layer.volume == 0 and layer.n_volumes == 3


def test_a_single_volume_4d_image_keeps_volume_zero_or_none():
    data = _blob()
    layer = Slices((data, AFFINE))
    layer.img = (data[..., None], AFFINE)
    assert layer.volume == 0 and layer.n_volumes == 1  # as a 4-D file opens: volume 0
    layer.img = (data, AFFINE)
    assert layer.volume is None


def test_trait_set_takes_img_and_volume_as_one_pair_in_either_order():
    data = _blob()
    four_d = (_four_d(data), AFFINE)
    layer = Slices((data, AFFINE))
    seen = _watch(layer)
    layer.trait_set(volume=2, img=four_d)  # volume=2 alone would be refused on the 3-D image
    assert layer.volume == 2 and layer.get_params()["volume"] == 2 and layer.n_volumes == 3
    np.testing.assert_array_equal(layer.image.data, _four_d(data)[..., 2])
    assert [name for name, *_ in seen] == ["img", "volume"] and all(v == 2 for _, v, _, _ in seen)
    layer.trait_set(volume=None, img=(data, AFFINE))  # volume=None alone would be refused on the 4-D image
    assert layer.volume is None and layer.n_volumes == 1
    layer.trait_set(img=four_d, volume=1, cmap="hot")  # other traits set as usual
    assert layer.volume == 1 and layer.get_params()["cmap"] == "hot"


def test_a_file_replaced_in_a_script_adapts_volume_and_rebuilds_from_its_params(tmp_path):
    data = _blob()
    bold = tmp_path / "bold.nii.gz"
    nib.save(nib.Nifti1Image(_four_d(data), AFFINE), bold)
    t1 = tmp_path / "t1.nii.gz"
    nib.save(nib.Nifti1Image(_shifted(data), AFFINE), t1)
    layer = Slices(str(bold), volume=2, coords=(0, 0, 0))
    layer.img = str(t1)
    assert layer.get_params()["img"] == str(t1) and layer.get_params()["volume"] is None
    rebuilt = Slices(**layer.get_params())
    np.testing.assert_array_equal(rebuilt.image.data, layer.image.data)
    layer.img = str(bold)
    assert layer.volume == 0 and Slices(**layer.get_params()).volume == 0


@pytest.mark.gui
def test_the_panel_file_field_replaces_a_4d_image_by_a_3d_one_and_back(open_window, dialogs, qtbot, monkeypatch,
                                                                       tmp_path):
    """Through the real widgets: the panel's file field, its volume editor and the window's volume spin box."""
    from PyQt5 import QtCore, QtWidgets

    from brainview.gui.files import Choices

    data = _blob()
    bold, t1 = tmp_path / "bold.nii.gz", tmp_path / "t1.nii.gz"
    nib.save(nib.Nifti1Image(_four_d(data), AFFINE), bold)
    nib.save(nib.Nifti1Image(_shifted(data), AFFINE), t1)
    window = open_window((160, 120), (1000, 700))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([bold], choices=Choices(roles={bold: "anatomy"}))
    layer, = window.figure.layers
    window.select_layer(layer)
    window.series.spin.setFocus()
    qtbot.keyClick(window.series.spin, QtCore.Qt.Key_Up)
    qtbot.keyClick(window.series.spin, QtCore.Qt.Key_Up)
    assert layer.volume == 2 and window.series.spin.isEnabled()

    def choose(path):
        monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                            staticmethod(lambda *a, **k: (str(path), "")))
        qtbot.mouseClick(window.panel_ui.get_editors("img")[0].button, QtCore.Qt.LeftButton)

    def volume_field():
        return window.panel_ui.get_editors("volume")[0].control.text()

    choose(t1)
    assert layer.get_params()["img"] == str(t1) and layer.volume is None and layer.n_volumes == 1
    assert not window.panel_ui.errors["img"].isVisible()
    assert not window.series.spin.isEnabled()  # no 4-D layer left to step
    qtbot.waitUntil(lambda: volume_field() == "None", timeout=5000)  # the panel rebuilds: a literal editor
    choose(bold)
    assert layer.volume == 0 and layer.n_volumes == 3
    assert window.series.spin.isEnabled() and window.series.spin.value() == 0 and window.series.spin.maximum() == 2
    qtbot.waitUntil(lambda: volume_field() == "0", timeout=5000)
    assert not dialogs
