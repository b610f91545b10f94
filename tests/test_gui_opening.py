"""Opening files in the app: what the GUI thread does when the loaded layers arrive (issues 19, 24)."""

import subprocess
import sys
import threading

import nibabel as nib
import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_modal_dialogs(dialogs):
    """Every test here records message boxes instead of blocking on them."""


def _files(folder):
    rng = np.random.default_rng(0)
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = -15
    anatomy = rng.uniform(10, 100, (10, 10, 10)).astype(np.float32)
    zmap = np.zeros((10, 10, 10), np.float32)
    zmap[3:6, 3:6, 3:6] = 5.0
    atlas = np.zeros((10, 10, 10), np.int16)
    atlas[2:5, 2:8, 2:8], atlas[5:8, 2:8, 2:8] = 1, 2
    paths = []
    for name, data in (("t1.nii.gz", anatomy), ("zmap.nii.gz", zmap), ("atlas.nii.gz", atlas)):
        paths.append(folder / name)
        nib.save(nib.Nifti1Image(data, affine), paths[-1])
    return [str(p) for p in paths]


def test_opening_three_files_builds_one_property_panel(open_window, qtbot, tmp_path, monkeypatch):
    """The panel of the last file only: one TraitsUI build per batch, not one per added layer."""
    from brainview.gui import window as window_module
    from brainview.gui.files import Choices

    window = open_window()
    built, original = [], window_module.edit_layer
    monkeypatch.setattr(window_module, "edit_layer",
                        lambda layer, *args, **kwargs: built.append(layer.name) or original(layer, *args, **kwargs))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files(_files(tmp_path), choices=Choices(atlas=True))
    assert [layer.kind for layer in window.figure.layers] == ["slices", "stat_map", "atlas"]
    assert built == [window.figure.layers[-1].name]
    assert window.selected_layer is window.figure.layers[-1]


def test_the_loader_worker_remembers_the_recent_files_and_imports_the_drawers(open_window, qtbot, tmp_path, monkeypatch):
    """The worker that reads the files also writes the recent-files list and imports what drawing needs."""
    from brainview.gui import background, common

    window = open_window()
    threads = {}
    for name, target in (("remember_recent", common.remember_recent), ("warm_imports", background.warm_imports)):
        def recording(*args, _name=name, _target=target):
            threads[_name] = threading.current_thread().name
            return _target(*args)
        monkeypatch.setattr(background, name, recording)
    paths = _files(tmp_path)[:1]
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files(paths)
    assert threads and all(name.startswith("brainview-load") for name in threads.values()), threads
    assert common.recent_files()[0] == str(tmp_path / "t1.nii.gz")


def test_warm_imports_loads_the_drawers_painters_and_panel_modules_of_the_kinds():
    """In a new process: after ``warm_imports``, drawing a stat map imports nothing of its own."""
    code = (
        "import sys; from brainview.gui.warm import warm_imports; warm_imports(['stat_map', 'no such kind']); "
        "from brainview.layers.registry import drawer_path, painter_path; "
        "names = [drawer_path('stat_map').split(':')[0], painter_path('stat_map').split(':')[0], "
        "'scipy.ndimage', 'traitsui.qt.ui_panel', 'brainview.geometry.extent']; "
        "print(all(name in sys.modules for name in names))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr
