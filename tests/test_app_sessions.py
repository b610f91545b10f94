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
    assert Path(path).is_file()


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
    """Run an exported script in a new process (no display) and save its figure at ``size``."""
    code = ("import runpy, sys\n"
            "fig = runpy.run_path(sys.argv[1], run_name='exported')['fig']\n"
            "fig.savefig(sys.argv[2], size=(int(sys.argv[3]), int(sys.argv[4])))\n")
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
    np.testing.assert_array_equal(image, window.figure.screenshot(size=SIZE))
