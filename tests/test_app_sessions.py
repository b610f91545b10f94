"""Files opened in the app keep their paths: sessions reference them, exported scripts name them and run.

Driven through the real widgets under Xvfb: File -> Open, File -> Save session and
File -> Export as Python script (their file dialogs answered by the test). The
exported script runs in a new Python process without a display.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

pytestmark = pytest.mark.gui

import brainview as bv  # noqa: E402

from conftest import read_png  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NIBABEL_DATA = Path(nib.__file__).parent / "tests" / "data"
AFFINE = np.array([[2.0, 0, 0, -40], [0, 2, 0, -40], [0, 0, 2, -40], [0, 0, 0, 1]])
SIZE = (160, 120)


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


@pytest.fixture
def window(open_window):
    return open_window(SIZE, (700, 500))


@pytest.fixture
def zstat(tmp_path):
    """A z-map file in a data folder apart from where sessions and scripts are written."""
    data = np.zeros((41, 41, 41), np.float32)
    data[15:25, 15:25, 15:25] = 5.0
    data[28:34, 5:12, 5:12] = -4.0
    path = tmp_path / "data" / "zstat1.nii.gz"
    path.parent.mkdir()
    nib.save(nib.Nifti1Image(data, AFFINE), path)
    return path


def _answer_dialog(monkeypatch, method, answer):
    from PyQt5 import QtWidgets

    monkeypatch.setattr(QtWidgets.QFileDialog, method, staticmethod(lambda *args, **kw: (answer, "")))


def _open_with_menu(win, qtbot, monkeypatch, paths):
    _answer_dialog(monkeypatch, "getOpenFileNames", [str(p) for p in paths])
    with qtbot.waitSignal(win.loaded, timeout=120000):
        win.actions["open"].trigger()
    assert not win.busy


def _save_with_menu(win, monkeypatch, action, path):
    _answer_dialog(monkeypatch, "getSaveFileName", str(path))
    win.actions[action].trigger()
    assert Path(path).is_file(), win.statusBar().currentMessage()


def _file_records(value):
    """Every ``$file`` record in an encoded value."""
    if isinstance(value, dict):
        if "$file" in value:
            return [value["$file"]]
        return [record for item in value.values() for record in _file_records(item)]
    if isinstance(value, list):
        return [record for item in value for record in _file_records(item)]
    return []


def _sha256(path):
    from brainview.export._encoding import file_digest

    return file_digest(path)[0]


def _script_savefig(script, png, size):
    """Run an exported script as ``python script.py`` does, in a new process without a display, its
    ``bv.show()`` replaced by saving the figure it shows at ``size``."""
    code = ("import runpy, sys\n"
            "import brainview as bv\n"
            "shown = []\n"
            "bv.show = lambda **options: shown.append(bv.gcf())\n"
            "names = runpy.run_path(sys.argv[1], run_name='__main__')\n"
            "assert shown == [names['fig']], 'the script shows the figure it built'\n"
            "shown[0].savefig(sys.argv[2], size=(int(sys.argv[3]), int(sys.argv[4])))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-c", code, str(script), str(png), *map(str, size)],
                            env=env, cwd=str(png.parent), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return read_png(png)


def _session_layers(path):
    return json.loads(Path(path).read_text())["layers"]


def test_session_of_an_opened_file_references_it_by_path_and_hash_not_a_npy_copy(
        window, qtbot, monkeypatch, tmp_path, zstat):
    """Bug: a file opened in the app was saved as 34 MB of .npy copies."""
    _open_with_menu(window, qtbot, monkeypatch, [zstat])
    assert [layer.kind for layer in window.figure.layers] == ["slices", "stat_map"]
    session = tmp_path / "sessions" / "work.bvscene"
    session.parent.mkdir()
    _save_with_menu(window, monkeypatch, "save_session", session)

    assert not (session.parent / "work_data").exists(), "no sidecar: the data is referenced"
    template, zmap = _session_layers(session)
    assert template["params"]["img"] == {"$dataset": {"loader": "load_mni152", "kwargs": {
        "$dict": [["resolution", 1]]}, "item": None}}
    record, = _file_records(zmap["params"])
    assert record == {"path": "../data/zstat1.nii.gz", "sha256": _sha256(zstat),
                      "size": zstat.stat().st_size, "role": "input"}

    expected = window.figure.screenshot()
    loaded = bv.load_scene(session, allow_outside=True)  # the user's own session, data beside it
    try:
        np.testing.assert_array_equal(loaded.screenshot(), expected)
    finally:
        loaded.close()


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_reopening_a_session_whose_data_is_outside_its_folder_asks_and_names_the_files(
        window, qtbot, monkeypatch, tmp_path, zstat, answer):
    """A session saved beside its data opens again in the app, after the user is told what it reads."""
    from PyQt5 import QtWidgets

    _open_with_menu(window, qtbot, monkeypatch, [zstat])
    session = tmp_path / "sessions" / "work.bvscene"
    session.parent.mkdir()
    _save_with_menu(window, monkeypatch, "save_session", session)
    expected = window.figure.screenshot()
    window.figure.clear()
    asked = []
    reply = QtWidgets.QMessageBox.Yes if answer == "yes" else QtWidgets.QMessageBox.No
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec_", lambda box: asked.append(box.text()) or reply)
    _answer_dialog(monkeypatch, "getOpenFileName", str(session))
    if answer == "yes":
        with qtbot.waitSignal(window.loaded, timeout=120000):
            window.actions["open_session"].trigger()
        np.testing.assert_array_equal(window.figure.screenshot(), expected)
    else:
        window.actions["open_session"].trigger()
        assert not window.figure.layers, "nothing outside the folder is read without a yes"
    assert len(asked) == 1 and "zstat1.nii.gz" in asked[0] and "outside its folder" in asked[0]


def test_exported_script_of_opened_files_names_them_and_draws_the_app_figure(
        window, qtbot, monkeypatch, tmp_path, zstat):
    """Bug: the exported script crashed on bv.datasets.load_mni152(resolution=1)['_affine']."""
    _open_with_menu(window, qtbot, monkeypatch, [zstat])
    script = tmp_path / "figure.py"
    _save_with_menu(window, monkeypatch, "export_script", script)

    text = script.read_text()
    assert "bv.slices(bv.datasets.load_mni152(resolution=1), " in text
    assert "bv.stat_map(str(HERE / 'data/zstat1.nii.gz'), " in text
    assert "_affine" not in text and "np.load" not in text
    assert not (tmp_path / "figure_data").exists()
    image = _script_savefig(script, tmp_path / "script.png", SIZE)
    np.testing.assert_array_equal(image, window.figure.screenshot(size=SIZE))


def test_real_files_opened_together_are_named_in_the_session_and_the_script(
        window, qtbot, monkeypatch, tmp_path):
    """nibabel's own anatomy and 4-D files, and nilearn's MNI template file, opened from where they lie."""
    template = bv.datasets.nilearn_data_dir() / "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
    files = [NIBABEL_DATA / "anatomical.nii", NIBABEL_DATA / "example4d.nii.gz", template]
    _open_with_menu(window, qtbot, monkeypatch, files)
    layers = window.figure.layers
    assert len(layers) == 3 and str(layers[0].get_params()["img"]) == str(files[0])
    four_d, = [layer for layer in layers if layer.name == "example4d"]
    assert four_d.get_params()["volume"] == 0, "the 4-D file shows volume 0 and says so"

    session = tmp_path / "work.bvscene"
    _save_with_menu(window, monkeypatch, "save_session", session)
    records = [record for layer in _session_layers(session) for record in _file_records(layer["params"])]
    assert sorted(Path(record["path"]).name for record in records) == sorted(path.name for path in files)
    for record in records:
        target = (session.parent / record["path"]).resolve()
        assert target.is_file() and record["sha256"] == _sha256(target) and record["role"] == "input"
    assert not (tmp_path / "work_data").exists()

    script = tmp_path / "work.py"
    _save_with_menu(window, monkeypatch, "export_script", script)
    text = script.read_text()
    for path in files:
        assert f"{os.path.relpath(path, tmp_path)}')" in text
    assert "volume=0" in text
    image = _script_savefig(script, tmp_path / "work.png", SIZE)
    shot = window.figure.screenshot(size=SIZE)
    # Three coplanar anatomies: later layers are lifted towards the camera by an amount that depends
    # on the layers and the camera only (render/slices.py, PlaneStack), so the app and the script
    # draw the same pixels (0 differ in every run). The depth range (which other props decide)
    # still sets the depth buffer's precision: where two perpendicular planes cross, a pixel whose
    # two depths round to the same value may go either way under another range (at most 2 of
    # 19,200 pixels over 40 poses with and without a far prop). A wrong file, volume or parameter,
    # or planes not lifted in the app (the bug), change hundreds to thousands of pixels.
    differing = np.abs(image.astype(int) - shot.astype(int)).max(axis=2) > 0
    assert differing.sum() <= 4, f"{differing.sum()} pixels differ between the script and the app"


# ------------------------------------------------------------------ the trial's files, opened in the app

A2 = np.array([[2.0, 0, 0, -30], [0, 2, 0, -30], [0, 0, 2, -30], [0, 0, 0, 1]])


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    """The trial's files: a 2 mm anatomy, a z-map, a label atlas with its .csv, a binary ROI,
    a 4-D series and a 4-D probabilistic atlas with its .tsv (small, in one folder)."""
    from trial_files import MNI_AFFINE, write_trial_files

    folder = tmp_path_factory.mktemp("trial")
    files = write_trial_files(folder)
    ijk = np.indices((31, 31, 31))
    anatomy = (100 * np.exp(-((ijk - 15) ** 2).sum(0) / 120.0)).astype(np.float32)
    zmap = np.zeros((20, 20, 20), np.float32)
    zmap[5:10, 5:10, 5:10], zmap[12:16, 12:16, 4:8], zmap[3:6, 14:17, 14:17] = 5.0, -4.0, 2.5
    series = np.stack([anatomy * (1 + 0.5 * k) + 20 * k * (ijk[0] > 15) for k in range(4)], -1)
    for name, data, affine in (("T1w", anatomy, A2), ("zstat1", zmap, MNI_AFFINE),
                               ("bold", series.astype(np.float32), A2)):
        files[name] = folder / f"{name}.nii.gz"
        nib.save(nib.Nifti1Image(data, affine), files[name])
    return files


TRIAL = ("T1w", "zstat1", "atlas", "roi", "bold", "prob")


def _accept_chooser(monkeypatch, qtbot):
    """Answer the role chooser on its widgets (Open); returns the roles it showed."""
    from PyQt5 import QtCore, QtWidgets

    from brainview.gui.roles import RoleDialog

    shown = []

    def exec_(dialog):
        shown.append({path.name: role for path, role in dialog.roles().items()})
        button = dialog.findChild(QtWidgets.QDialogButtonBox).button(QtWidgets.QDialogButtonBox.Open)
        qtbot.mouseClick(button, QtCore.Qt.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RoleDialog, "exec_", exec_)
    return shown


def _type_into(qtbot, field, text):
    from PyQt5 import QtCore

    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, QtCore.Qt.Key_Return)


def _layer(window, name):
    layer, = [layer for layer in window.figure.layers if layer.name == name]
    return layer


def _work_on_the_trial(window, qtbot, monkeypatch, trial):
    """Open the trial's files with File -> Open, then set what a day's work sets, on the widgets."""
    from PyQt5 import QtCore

    shown = _accept_chooser(monkeypatch, qtbot)
    _open_with_menu(window, qtbot, monkeypatch, [trial[name] for name in TRIAL])
    assert shown and shown[0]["bold.nii.gz"] == "anatomy", "a 4-D series of floats is unsure: the chooser asks"
    assert shown[0]["roi.nii.gz"] == "mask" and shown[0]["HarvardOxford-cort-prob-3mm.nii.gz"] == "prob_atlas"
    window.select_layer(_layer(window, "zstat1"))
    _type_into(qtbot, window.panel_ui.get_editors("threshold")[0].field, "2")
    window.select_layer(_layer(window, "bold"))
    for _ in range(2):
        qtbot.keyClick(window.series.spin, QtCore.Qt.Key_Up)
    lightbox = window.lightbox
    lightbox.axis_box.setFocus()
    qtbot.keyClick(lightbox.axis_box, QtCore.Qt.Key_Down)  # axial -> coronal
    _type_into(qtbot, lightbox.slices_spin, "6")
    _type_into(qtbot, lightbox.columns_spin, "3")
    qtbot.mouseClick(window.ortho.location.radiological, QtCore.Qt.LeftButton)
    window.layout_actions["lightbox"].trigger()


def _described(window):
    """Every layer as kind, name, parameters and later settings: what a session must keep.

    A data file is the same whether given as a Path (opened in the app) or a str (read from a
    session, as a script passes it): both are compared as the resolved path.
    """
    def plain(layer, key, value):
        file = key in type(layer).data_params and isinstance(value, (str, Path))
        return Path(value).resolve() if file else value

    return [(layer.kind, layer.name, {key: plain(layer, key, value) for key, value in layer.get_params().items()},
             layer.get_state()) for layer in window.figure.layers]


def test_trial_files_opened_and_edited_in_the_app_round_trip_through_a_session_and_a_script(
        open_window, qtbot, monkeypatch, tmp_path, trial):
    """Each opened file referenced once by path and SHA-256; the chooser's roles, the panel's threshold,
    the 4-D volume, the label tables and the lightbox's slices come back; the script draws the same pixels."""
    from brainview.testing import assert_figure_equal

    window = open_window(SIZE, (900, 600))
    _work_on_the_trial(window, qtbot, monkeypatch, trial)
    assert [layer.kind for layer in window.figure.layers] == ["slices", "slices", "stat_map", "atlas", "atlas",
                                                              "contour"]
    zmap, bold, atlas = _layer(window, "zstat1"), _layer(window, "bold"), _layer(window, "myatlas")
    assert zmap.threshold == 2.0 and bold.volume == 2 and atlas.names == ["Left thing", "Right thing"]
    selected = window.selected_layer

    session = trial["T1w"].parent / "work.bvscene"  # beside the files: opened again without a question
    _save_with_menu(window, monkeypatch, "save_session", session)
    scene = json.loads(session.read_text())
    records = [record for layer in scene["layers"] for record in _file_records(layer["params"])]
    assert sorted(record["path"] for record in records) == sorted(trial[name].name for name in TRIAL)
    for record in records:
        assert record["role"] == "input" and record["sha256"] == _sha256(session.parent / record["path"])
    assert not list(session.parent.glob("*_data")) and ".npy" not in session.read_text()
    assert scene["app"] == {"layout": "lightbox", "selected": window.figure.layers.index(selected),
                            "radiological": True,
                            "lightbox": {"axis": "coronal", "slices": 6, "spacing": 0.0, "columns": 3}}

    script = tmp_path / "day.py"
    _save_with_menu(window, monkeypatch, "export_script", script)
    text = script.read_text()
    for name in TRIAL:
        assert f"HERE / '{os.path.relpath(trial[name], tmp_path)}'" in text
    assert "volume=2" in text and "threshold=2.0" in text and "'Left thing'" in text and "np.load" not in text
    _script_savefig(script, tmp_path / "script.png", SIZE)
    window.figure.savefig(tmp_path / "app.png", size=SIZE)
    assert_figure_equal(tmp_path / "script.png", tmp_path / "app.png", tolerance=0.5, output_dir=tmp_path)

    again = open_window(SIZE, (900, 600))
    _answer_dialog(monkeypatch, "getOpenFileName", str(session))
    with qtbot.waitSignal(again.loaded, timeout=120000):
        again.actions["open_session"].trigger()
    assert _described(again) == _described(window)
    assert again.lightbox.settings() == window.lightbox.settings() and again.current_layout == "lightbox"
    assert again.lightbox.radiological and again.ortho.location.radiological.isChecked()
    assert again.selected_layer.name == selected.name
    resaved = session.with_name("again.bvscene")  # saved again from the reopened window: the same references
    again.save_session(resaved)
    assert json.loads(resaved.read_text())["layers"] == scene["layers"]


def test_per_file_options_of_the_command_survive_a_session_and_a_script(open_window, qtbot, tmp_path, trial):
    """``brainview FILE:ROLE:key=value ...``: the roles and options, the volume and a named label table
    included, are the layers' parameters, so a session and a script keep them."""
    from brainview.gui.file_roles import parse_file_arg
    from brainview.gui.files import Choices

    specs = [parse_file_arg(text) for text in (
        f"{trial['T1w']}:anat", f"{trial['zstat1']}:map:threshold=3.1:cmap='cold_hot'",
        f"{trial['wrong']}:atlas:labels={trial['lut']}", f"{trial['roi']}:roi:opacity=0.5",
        f"{trial['bold']}:anat:volume=3")]
    choices = Choices(roles={spec.path: spec.role for spec in specs},
                      options={spec.path: spec.options for spec in specs if spec.options})
    window = open_window(SIZE, (900, 600))
    with qtbot.waitSignal(window.loaded, timeout=120000):
        window.open_files([spec.path for spec in specs], choices=choices)  # what the command does
    zmap, atlas, roi, bold = (_layer(window, name) for name in ("zstat1", "regions", "roi", "bold"))
    assert (zmap.threshold, zmap.get_params()["cmap"], roi.opacity, bold.volume) == (3.1, "cold_hot", 0.5, 3)
    assert atlas.names == ["Alpha", "Beta"], "the named table, not the one beside the file"
    session = trial["T1w"].parent / "options.bvscene"
    window.save_session(session)
    loaded = bv.load_scene(session)
    try:
        assert [(layer.kind, layer.get_params()) for layer in loaded.layers] == [
            (layer.kind, {key: str(value) if key in type(layer).data_params and isinstance(value, Path) else value
                          for key, value in layer.get_params().items()}) for layer in window.figure.layers]
    finally:
        loaded.close()
    script = tmp_path / "options.py"
    window.export_script(script)
    text = script.read_text()
    for option in ("threshold=3.1", "cmap='cold_hot'", "'Alpha', 'Beta'", "opacity=0.5", "volume=3"):
        assert option in text


def test_a_session_with_settings_the_window_cannot_take_opens_and_says_so(open_window, qtbot, tmp_path):
    """A hand-edited session: its layers open; a bad layout or lightbox value is skipped with a note."""
    from brainview.export.scene_file import save_scene

    figure = bv.Figure(size=SIZE)
    figure.add(bv.layers.Points([[0, 0, 0]], name="dots"))
    session = tmp_path / "odd.bvscene"
    save_scene(figure, session, app={"layout": "upside-down", "radiological": "yes",
                                     "lightbox": {"axis": "oblique", "slices": 5000, "columns": 2}})
    figure.close()
    window = open_window(SIZE, (900, 600))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_session(session)
    assert [layer.name for layer in window.figure.layers] == ["dots"]
    message = window.statusBar().currentMessage()
    assert "layout 'upside-down'" in message and "axis" in message and "slices" in message
    assert window.current_layout == "1+3" and window.lightbox.settings()["columns"] == 2
    assert window.lightbox.axis == "axial" and window.lightbox.settings()["slices"] == 12
