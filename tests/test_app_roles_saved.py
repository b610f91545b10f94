"""Issue 24, "Saving", for the file roles the trial's test does not cover: a surface with its per-vertex
overlay, streamlines, and a scene file, each opened with File -> Open (the role chooser answered on its
widgets). The saved session and the exported script reference the opened files by path and SHA-256
(no copies), the session opens again in the app, and the script, run in a fresh process, draws the
app's pixels. (Anatomy, statistical map, label and probabilistic atlas, mask and 4-D series:
tests/test_app_sessions.py.)"""

import json

import nibabel as nib
import numpy as np
import pytest

pytestmark = pytest.mark.gui

from test_app_sessions import (_accept_chooser, _answer_dialog, _file_records, _open_with_menu,  # noqa: E402
                               _save_with_menu, _script_savefig, _sha256)

SIZE = (160, 120)


def _sphere(n_lat=12, n_lon=16, radius=40.0):
    """A small UV sphere: vertices (n, 3), triangles (m, 3)."""
    lat = np.linspace(0.15, np.pi - 0.15, n_lat)
    lon = np.linspace(0, 2 * np.pi, n_lon, endpoint=False)
    grid = np.stack([np.outer(np.sin(lat), np.cos(lon)), np.outer(np.sin(lat), np.sin(lon)),
                     np.outer(np.cos(lat), np.ones(n_lon))], -1).reshape(-1, 3) * radius
    faces = []
    for i in range(n_lat - 1):
        for j in range(n_lon):
            a, b = i * n_lon + j, i * n_lon + (j + 1) % n_lon
            faces += [(a, a + n_lon, b), (b, a + n_lon, b + n_lon)]
    return grid.astype(np.float32), np.array(faces, np.int32)


def _gifti(path, *arrays):
    image = nib.gifti.GiftiImage()
    for array, intent in arrays:
        image.add_gifti_data_array(nib.gifti.GiftiDataArray(array, intent=intent))
    nib.save(image, path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A GIFTI surface, its per-vertex overlay (.shape.gii) and a .tck tractogram, in a data folder."""
    folder = tmp_path_factory.mktemp("roles") / "data"
    folder.mkdir()
    vertices, faces = _sphere()
    paths = {"surface": folder / "lh.pial.gii", "overlay": folder / "lh.thickness.shape.gii",
             "streamlines": folder / "bundle.tck"}
    _gifti(paths["surface"], (vertices, "NIFTI_INTENT_POINTSET"), (faces, "NIFTI_INTENT_TRIANGLE"))
    _gifti(paths["overlay"], (vertices[:, 2] / 10.0, "NIFTI_INTENT_SHAPE"))
    rng = np.random.default_rng(0)
    lines = [np.cumsum(rng.normal(0, 2, (20, 3)), axis=0).astype(np.float32) + [0, 0, 5 * k] for k in range(12)]
    nib.streamlines.save(nib.streamlines.Tractogram(lines, affine_to_rasmm=np.eye(4)), str(paths["streamlines"]))
    return paths


def _round_trip(window, qtbot, monkeypatch, folder, opened):
    """Save a session and a script of the window; both reference ``opened`` files only; both draw the same."""
    session = folder / "work.bvscene"
    _save_with_menu(window, monkeypatch, "save_session", session)
    scene = json.loads(session.read_text())
    records = [record for layer in scene["layers"] for record in _file_records(layer["params"])]
    assert sorted(record["path"] for record in records) == sorted(f"data/{path.name}" for path in opened)
    for record in records:
        assert record["role"] == "input" and record["sha256"] == _sha256(folder / record["path"])
    assert not (folder / "work_data").exists(), "no copies of the data"

    script = folder / "work.py"
    _save_with_menu(window, monkeypatch, "export_script", script)
    text = script.read_text()
    for path in opened:
        assert f"HERE / 'data/{path.name}'" in text
    assert "np.load" not in text and not (folder / "work_data").exists()
    image = _script_savefig(script, folder / "script.png", SIZE)
    np.testing.assert_array_equal(image, window.figure.screenshot(size=SIZE))
    return session, scene


def test_surface_with_overlay_and_streamlines_opened_in_the_app_are_referenced_and_redrawn(
        open_window, qtbot, monkeypatch, dialogs, files):
    window = open_window(SIZE, (900, 600))
    _accept_chooser(monkeypatch, qtbot)
    opened = [files["surface"], files["overlay"], files["streamlines"]]
    _open_with_menu(window, qtbot, monkeypatch, opened)
    assert [layer.kind for layer in window.figure.layers] == ["surface", "streamlines"]
    session, scene = _round_trip(window, qtbot, monkeypatch, files["surface"].parent.parent, opened)

    again = open_window(SIZE, (900, 600))
    _answer_dialog(monkeypatch, "getOpenFileName", str(session))
    with qtbot.waitSignal(again.loaded, timeout=60000):
        again.actions["open_session"].trigger()
    assert [layer.kind for layer in again.figure.layers] == ["surface", "streamlines"]
    np.testing.assert_array_equal(again.figure.screenshot(size=SIZE), window.figure.screenshot(size=SIZE))


def test_scene_file_opened_with_file_open_is_saved_again_with_the_same_file_references(
        open_window, qtbot, monkeypatch, dialogs, files, tmp_path):
    import brainview as bv
    from brainview.export.scene_file import save_scene

    figure = bv.Figure(size=SIZE)
    figure.add(bv.layers.Surface(str(files["surface"]), str(files["overlay"]), name="lh"))
    saved = files["surface"].parent.parent / "given.bvscene"
    save_scene(figure, saved)
    figure.close()
    window = open_window(SIZE, (900, 600))
    _accept_chooser(monkeypatch, qtbot)
    _open_with_menu(window, qtbot, monkeypatch, [saved])
    assert [layer.name for layer in window.figure.layers] == ["lh"]
    _, scene = _round_trip(window, qtbot, monkeypatch, saved.parent, [files["surface"], files["overlay"]])
    assert scene["layers"] == json.loads(saved.read_text())["layers"]
