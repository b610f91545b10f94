"""Issue 24's leftovers, through the real widgets: an atlas's colours from a label table chosen in the
panel, slider ranges that follow the layer's data, and a 4-D atlas's volume referenced (not copied)
by sessions and exported scripts, which run in a fresh process and draw the same pixels."""

import hashlib
import json

import nibabel as nib
import numpy as np
import pytest
from PyQt5 import QtCore, QtWidgets

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402

from test_app_sessions import _file_records, _save_with_menu, _script_savefig  # noqa: E402

SIZE = (160, 120)
AFFINE = np.array([[2.0, 0, 0, -20], [0, 2, 0, -20], [0, 0, 2, -20], [0, 0, 0, 1]])


@pytest.fixture
def window(open_window, dialogs):
    return open_window(SIZE, (1000, 700))


def _two_regions():
    data = np.zeros((20, 20, 20), np.int16)
    data[2:9, 5:15, 5:15], data[11:18, 5:15, 5:15] = 1, 2  # label 1 at x < 0, label 2 at x > 0
    return data


def _open(window, qtbot, path, **choices):
    from brainview.gui.files import Choices

    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([path], choices=Choices(roles={path: "atlas"}, **choices))
    layer, = [layer for layer in window.figure.layers if layer.kind == "atlas"]
    window.select_layer(layer)
    return layer


def _answer(monkeypatch, path):
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _axial(window, qtbot, before=None):
    """The axial 2-D view's pixels once drawn (and, given ``before``, once they changed)."""
    def ready():
        view = window.ortho.views["axial"]
        return (not window.ortho.pending and view.image is not None
                and (before is None or not np.array_equal(view.image.rgba, before)))

    qtbot.waitUntil(ready, timeout=15000)
    return window.ortho.views["axial"].image.rgba.copy()


def _columns_of(rgba, rgb):
    """Mean column of the pixels of colour ``rgb`` (within 40 per channel), None when there are none."""
    close = (np.abs(rgba[..., :3].astype(int) - rgb) <= 40).all(axis=2)
    return float(np.nonzero(close)[1].mean()) if close.any() else None


def _hues(shot):
    """Pixels of the 3-D view that are mostly red, mostly blue and mostly green (shaded meshes)."""
    r, g, b = (shot[..., i].astype(int) for i in range(3))
    return [int(((c1 > 60) & (c1 > 2 * c2) & (c1 > 2 * c3)).sum()) for c1, c2, c3 in ((r, g, b), (b, r, g),
                                                                                          (g, r, b))]


def test_atlas_colours_and_names_from_label_table_files_chosen_in_the_panel_follow_everywhere_and_are_saved(
        window, qtbot, monkeypatch, tmp_path):
    """A .csv table names and colours the regions (lut), an FSL .lut then a FreeSurfer ColorLUT recolour
    them (colors), a bad file is refused under its field; the 2-D view, the 3-D view and the legend
    follow; the session and the script reference the files by path and SHA-256."""
    atlas_path = tmp_path / "regions.nii.gz"
    nib.save(nib.Nifti1Image(_two_regions(), AFFINE), atlas_path)
    layer = _open(window, qtbot, atlas_path)
    panel = window.panel_ui
    legend = window.figure.colorbar(layer)  # as typed in the console: the figure's legend of the regions
    before = _axial(window, qtbot)

    table = tmp_path / "names.csv"
    table.write_text("index,name,r,g,b\n1,Alpha,0,255,0\n2,Beta,255,255,0\n")
    _answer(monkeypatch, table)
    qtbot.mouseClick(panel.get_editors("lut")[0].button, QtCore.Qt.LeftButton)
    assert not panel.errors["lut"].isVisible(), panel.errors["lut"].text()
    assert layer.names == ["Alpha", "Beta"] and layer.region_colors[:, :3].tolist() == [[0, 255, 0], [255, 255, 0]]
    shown = _axial(window, qtbot, before)
    assert _columns_of(shown, (0, 255, 0)) < _columns_of(shown, (255, 255, 0)), "Alpha left of Beta"

    editor = panel.get_editors("colors")[0]
    bad = tmp_path / "bad.lut"
    bad.write_text("1 0.5 0.5\n")
    _answer(monkeypatch, bad)
    qtbot.mouseClick(editor.button, QtCore.Qt.LeftButton)
    error = panel.errors["colors"]
    assert error.isVisible() and "colors" in error.text() and "bad.lut" in error.text()
    assert window.panel_message.isVisible() and layer.colors is None

    fsl = tmp_path / "fsl.lut"
    fsl.write_text("1 0.0 0.0 1.0 ignored\n2 1.0 0.0 0.0 ignored too\n")
    _answer(monkeypatch, fsl)
    qtbot.mouseClick(editor.button, QtCore.Qt.LeftButton)
    assert not error.isVisible() and layer.region_colors[:, :3].tolist() == [[0, 0, 255], [255, 0, 0]]
    assert layer.names == ["Alpha", "Beta"], "colors recolour; the names stay the table's"

    freesurfer = tmp_path / "FreeSurferColorLUT.txt"
    freesurfer.write_text("#No. Label Name: R G B A\n0 Unknown 0 0 0 0\n1 Alpha 255 0 0 0\n2 Beta 0 0 255 0\n")
    _answer(monkeypatch, freesurfer)
    shown = _axial(window, qtbot)
    qtbot.mouseClick(editor.button, QtCore.Qt.LeftButton)
    assert layer.get_params()["colors"] == freesurfer and editor.field.text() == "FreeSurferColorLUT.txt"
    assert layer.region_colors[:, :3].tolist() == [[255, 0, 0], [0, 0, 255]]
    shown = _axial(window, qtbot, shown)
    assert _columns_of(shown, (255, 0, 0)) < _columns_of(shown, (0, 0, 255)), "the 2-D view follows"
    assert legend.entries == [("Alpha", (1.0, 0.0, 0.0)), ("Beta", (0.0, 0.0, 1.0))], "the legend follows"
    checklist = panel.get_editors("regions")[0].list
    assert [checklist.item(row).text() for row in range(checklist.count())] == ["Alpha", "Beta"]
    red, blue, green = _hues(window.figure.screenshot())
    assert red > 50 and blue > 50 and green == 0, "the 3-D view follows"

    session = tmp_path / "work.bvscene"
    _save_with_menu(window, monkeypatch, "save_session", session)
    params = json.loads(session.read_text())["layers"][-1]["params"]
    for key, path in (("colors", freesurfer), ("lut", table), ("atlas", atlas_path)):
        record, = _file_records(params[key])
        assert record["path"] == path.name and record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    script = tmp_path / "work.py"
    _save_with_menu(window, monkeypatch, "export_script", script)
    text = script.read_text()
    assert "colors=str(HERE / 'FreeSurferColorLUT.txt')" in text and "lut=str(HERE / 'names.csv')" in text
    image = _script_savefig(script, tmp_path / "script.png", SIZE)
    np.testing.assert_array_equal(image, window.figure.screenshot(size=SIZE))


def test_panel_sliders_take_the_range_of_the_data_shown_after_a_volume_step_or_a_new_image(
        window, qtbot, monkeypatch, tmp_path):
    """Bug: the sliders kept the range of the data the panel was built with (volume 0, the first image)."""
    from brainview.gui.files import Choices

    ijk = np.indices((12, 12, 12)).sum(0).astype(np.float32)  # 0..33
    series = tmp_path / "series.nii.gz"
    nib.save(nib.Nifti1Image(np.stack([ijk, 10 * ijk + 100], -1), AFFINE), series)
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([series], choices=Choices(roles={series: "anatomy"}))
    layer, = window.figure.layers
    window.select_layer(layer)

    def slide_max_to_end():
        slider = window.panel_ui.get_editors("clim")[0].ends[1][0]
        slider.setFocus()
        qtbot.keyClick(slider, QtCore.Qt.Key_End)
        return layer.clim[1]

    assert slide_max_to_end() == 33.0
    window.series.spin.setFocus()
    qtbot.keyClick(window.series.spin, QtCore.Qt.Key_Up)
    assert layer.volume == 1
    assert slide_max_to_end() == 430.0, "the slider spans volume 1's values"

    other = tmp_path / "other.nii.gz"
    small = ijk[:10, :10, :10]
    nib.save(nib.Nifti1Image(np.stack([small, small - 50], -1), AFFINE), other)  # volume 1: -50..-23
    _answer(monkeypatch, other)
    qtbot.mouseClick(window.panel_ui.get_editors("img")[0].button, QtCore.Qt.LeftButton)
    assert layer.image.shape == (10, 10, 10) and layer.volume == 1
    slider = window.panel_ui.get_editors("clim")[0].ends[0][0]
    slider.setFocus()
    qtbot.keyClick(slider, QtCore.Qt.Key_Home)
    assert layer.clim[0] == -50.0, "the slider spans the new image's values"


def test_4d_atlas_opened_at_a_volume_is_referenced_by_file_and_volume_in_the_session_and_the_script(
        window, qtbot, monkeypatch, tmp_path):
    """Bug: ``--volume N`` on a 4-D atlas saved a copy of that volume's data in the session."""
    data = np.zeros((20, 20, 20, 3), np.int16)
    data[..., 1] = _two_regions()
    data[5:15, 5:15, 5:15, 2] = 7
    path = tmp_path / "data" / "labels4d.nii.gz"
    path.parent.mkdir()
    nib.save(nib.Nifti1Image(data, AFFINE), path)
    layer = _open(window, qtbot, path, volume=1)
    assert layer.label_values.tolist() == [1, 2]

    session = tmp_path / "work.bvscene"
    _save_with_menu(window, monkeypatch, "save_session", session)
    assert not (tmp_path / "work_data").exists(), "no copy of the volume"
    entry = json.loads(session.read_text())["layers"][-1]["params"]["atlas"]
    assert entry["$image"]["volume"] == 1
    assert entry["$image"]["file"]["$file"] == {"path": "data/labels4d.nii.gz", "size": path.stat().st_size,
                                                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                                                "role": "input"}
    loaded = bv.load_scene(session)
    try:
        atlas, = [again for again in loaded.layers if again.kind == "atlas"]
        assert atlas.label_values.tolist() == [1, 2] and atlas.get_params()["atlas"].source[1] == 1
    finally:
        loaded.close()

    script = tmp_path / "work.py"
    _save_with_menu(window, monkeypatch, "export_script", script)
    text = script.read_text()
    assert "bv.atlas(bv.io.load_image(str(HERE / 'data/labels4d.nii.gz'), volume=1), " in text
    assert "np.load" not in text and not (tmp_path / "work_data").exists()
    image = _script_savefig(script, tmp_path / "script.png", SIZE)
    np.testing.assert_array_equal(image, window.figure.screenshot(size=SIZE))
    resaved = tmp_path / "again.bvscene"
    window.figure.clear()
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_session(session)
    window.save_session(resaved)
    assert json.loads(resaved.read_text())["layers"] == json.loads(session.read_text())["layers"]


def test_colour_files_given_as_command_options_are_saved_by_path_and_hash_not_as_bare_names(
        window, qtbot, tmp_path, monkeypatch):
    """Bug: ``atlas.nii.gz:atlas:colors=regions.lut`` (and ``cmap=ramp.cmap``) were saved as the bare
    text 'regions.lut', which a session or script run from another folder could not find."""
    from brainview.gui.file_roles import parse_file_arg
    from brainview.gui.files import Choices

    atlas, anatomy = tmp_path / "regions.nii.gz", tmp_path / "t1.nii.gz"
    nib.save(nib.Nifti1Image(_two_regions(), AFFINE), atlas)
    nib.save(nib.Nifti1Image(np.indices((20, 20, 20)).sum(0).astype(np.float32), AFFINE), anatomy)
    (tmp_path / "regions.lut").write_text("1 1.0 0.0 0.0 a\n2 0.0 0.0 1.0 b\n")
    (tmp_path / "ramp.cmap").write_text("0 0 0\n1 0.5 0\n")
    monkeypatch.chdir(tmp_path)  # the names typed on the command line are relative to where it runs
    specs = [parse_file_arg(text) for text in ("t1.nii.gz:anat:cmap=ramp.cmap",
                                               "regions.nii.gz:atlas:colors=regions.lut")]
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([spec.path for spec in specs], choices=Choices(
            roles={spec.path: spec.role for spec in specs}, options={spec.path: spec.options for spec in specs}))
    session = tmp_path / "elsewhere" / "work.bvscene"
    session.parent.mkdir()
    window.save_session(session)
    layers = json.loads(session.read_text())["layers"]
    for layer, key, name in ((layers[0], "cmap", "ramp.cmap"), (layers[1], "colors", "regions.lut")):
        record, = _file_records(layer["params"][key])
        assert record["path"] == f"../{name}" and record["sha256"] == hashlib.sha256(
            (tmp_path / name).read_bytes()).hexdigest()
