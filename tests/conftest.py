"""Shared fixtures: small off-screen figures, phantoms, and the image comparator."""

from __future__ import annotations

import html.parser
import os
from pathlib import Path

import numpy as np
import pytest

BASELINE_DIR = Path(__file__).parent / "baseline"
#: Set BRAINVIEW_UPDATE_BASELINES=1 to (re)write missing or changed baselines.
UPDATE_BASELINES = os.environ.get("BRAINVIEW_UPDATE_BASELINES") == "1"


@pytest.fixture
def fig():
    """A 400x400 off-screen figure without antialiasing, closed afterwards."""
    import brainview as bv

    figure = bv.figure(size=(400, 400), antialias=False)
    yield figure
    bv.close("all")


def sphere_phantom(affine, center_mm, radius_mm, shape=(40, 40, 40)):
    """A 3-D image whose voxels are 1 inside a ball of radius_mm around center_mm (world)."""
    ijk = np.indices(shape).reshape(3, -1).T
    world = ijk @ affine[:3, :3].T + affine[:3, 3]
    inside = np.linalg.norm(world - np.asarray(center_mm), axis=1) <= radius_mm
    return inside.reshape(shape).astype(np.float32)


def smooth_sphere_phantom(affine, center_mm, radius_mm, shape=(40, 40, 40)):
    """Signed distance field: radius - distance (mm), positive inside; level 0 is the sphere."""
    ijk = np.indices(shape).reshape(3, -1).T
    world = ijk @ affine[:3, :3].T + affine[:3, 3]
    distance = np.linalg.norm(world - np.asarray(center_mm), axis=1)
    return (radius_mm - distance).reshape(shape).astype(np.float32)


def rotation(axis, degrees):
    """4x4 rotation about a world axis (0: x, 1: y, 2: z)."""
    angle = np.radians(degrees)
    c, s = np.cos(angle), np.sin(angle)
    i, j = [a for a in range(3) if a != axis]
    matrix = np.eye(4)
    matrix[i, i], matrix[i, j], matrix[j, i], matrix[j, j] = c, -s, s, c
    return matrix


def compare_to_baseline(image, name, *, threshold=0.002):
    """Compare an (h, w, 3) uint8 screenshot to tests/baseline/<name>.png.

    Uses vtkImageDifference (which tolerates one-pixel shifts and small
    intensity noise) and fails when its thresholded error per pixel exceeds
    ``threshold``: a colour change of one object scores ~0.04, a 12-pixel shift
    of the scene ~0.006, identical renderings 0.
    A missing baseline fails too, unless BRAINVIEW_UPDATE_BASELINES=1.
    """
    path = BASELINE_DIR / f"{name}.png"
    if UPDATE_BASELINES:
        write_png(image, path)
        return 0.0
    assert path.exists(), f"no baseline {path}; run with BRAINVIEW_UPDATE_BASELINES=1 and look at it"
    error = image_difference(image, read_png(path))
    assert error <= threshold, f"{name}: image differs from its baseline (error {error:.4f} > {threshold})"
    return error


def image_difference(actual, expected):
    """Mean per-pixel error (0..1) between two RGB uint8 images, via vtkImageDifference."""
    from vtkmodules.vtkImagingCore import vtkImageDifference

    if actual.shape != expected.shape:
        return 1.0
    difference = vtkImageDifference()
    difference.SetInputData(_to_vtk_image(actual))
    difference.SetImageData(_to_vtk_image(expected))
    difference.SetThreshold(16)
    difference.Update()
    return difference.GetThresholdedError() / (actual.shape[0] * actual.shape[1])


def _to_vtk_image(pixels):
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData

    height, width, channels = pixels.shape
    image = vtkImageData()
    image.SetDimensions(width, height, 1)
    image.GetPointData().SetScalars(
        numpy_to_vtk(np.flipud(pixels).reshape(-1, channels).copy(), deep=True))
    return image


def write_png(pixels, path):
    from vtkmodules.vtkIOImage import vtkPNGWriter

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    writer = vtkPNGWriter()
    writer.SetFileName(str(path))
    writer.SetInputData(_to_vtk_image(pixels))
    writer.Write()


def read_png(path):
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkIOImage import vtkPNGReader

    reader = vtkPNGReader()
    reader.SetFileName(str(path))
    reader.Update()
    image = reader.GetOutput()
    width, height, _ = image.GetDimensions()
    pixels = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(height, width, -1)
    return np.flipud(pixels[:, :, :3]).copy()


@pytest.fixture(autouse=True, scope="session")
def _settings_in_a_temporary_folder(tmp_path_factory):
    """The app's settings (recent files) go to a temporary folder, never the user's own."""
    previous = os.environ.get("BRAINVIEW_SETTINGS_DIR")
    os.environ["BRAINVIEW_SETTINGS_DIR"] = str(tmp_path_factory.mktemp("settings"))
    yield
    if previous is None:
        os.environ.pop("BRAINVIEW_SETTINGS_DIR", None)
    else:
        os.environ["BRAINVIEW_SETTINGS_DIR"] = previous


# ------------------------------------------------------------------ desktop-app tests


@pytest.fixture
def dialogs(monkeypatch):
    """Texts of the message boxes shown (a modal dialog would block the test run)."""
    from PyQt5 import QtWidgets

    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec_", lambda box: shown.append(box.text()) or 0)
    return shown


@pytest.fixture
def own_window(qtbot):
    """``own_window(figure_size, window_size)``: a shown MainWindow that the test may close itself.

    Not handed to qtbot, which would close it again; closed after the test if it is still open.
    """
    import brainview as bv
    from brainview.gui.window import MainWindow

    made = []

    def open_(figure_size, window_size):
        figure = bv.Figure(size=figure_size, antialias=False)
        window = MainWindow(figure)
        window.resize(*window_size)
        window.show()
        qtbot.waitExposed(window)
        made.append((window, figure))
        return window

    yield open_
    from PyQt5 import sip

    for window, figure in made:
        if not sip.isdeleted(window):
            window.close()
        figure.close()


@pytest.fixture
def open_window(qtbot):
    """``open_window(figure_size, window_size)``: a shown MainWindow on a new figure; all closed after."""
    import brainview as bv
    from brainview.gui.window import MainWindow

    made = []

    def open_(figure_size=(400, 400), window_size=(900, 600)):
        win = MainWindow(bv.Figure(size=figure_size, antialias=False))
        qtbot.addWidget(win)
        win.resize(*window_size)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield open_
    from PyQt5 import sip

    for win in made:
        if sip.isdeleted(win):  # a test closed it (closing deletes the window)
            continue
        figure = win.figure
        win.close()
        figure.close()
    bv.close("all")


class LinkParser(html.parser.HTMLParser):
    """The links (``href``/``src``) and the number of ``<script>`` tags of an HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.links += [value for name, value in attrs if name in ("href", "src")]
