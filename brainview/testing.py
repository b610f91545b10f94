"""Image regression for users' own tests: compare a figure with a baseline PNG.

:func:`assert_figure_equal` compares a figure (or an image array, or a PNG
file) with a baseline PNG by the root-mean-square difference of their
grey levels, matplotlib's ``compare_images`` measure: 0 for identical
images; a one-pixel shift of a brain picture scores several grey levels. On
failure it writes the image it got and a difference image beside each other
and names them in the message. A missing baseline fails with the way to make
it: ``update=True``, ``BRAINVIEW_UPDATE_BASELINES=1``, or pytest's
``--brainview-update-baselines`` option with the :func:`figure_regression`
fixture (anchors: pytest-pyvista's ``verify_image_cache`` and matplotlib's
``image_comparison``).

This module is also a pytest plugin (registered as ``brainview``): a test
asks for the ``figure_regression`` fixture and calls it with a figure and a
name; baselines live in ``baseline/`` beside the test file.

Examples
--------
>>> import tempfile, os
>>> import numpy as np
>>> image = np.zeros((20, 30, 3), np.uint8); image[5:15, 10:20] = 255
>>> folder = tempfile.mkdtemp()
>>> baseline = os.path.join(folder, "square.png")
>>> assert_figure_equal(image, baseline, update=True)  # writes the missing baseline
>>> assert_figure_equal(image, baseline)              # passes: identical
>>> shifted = np.roll(image, 1, axis=1)
>>> try:
...     assert_figure_equal(shifted, baseline)
... except AssertionError as error:
...     print(str(error).splitlines()[0])
square: the image differs from its baseline (RMS 46.56 grey levels > tolerance 1.0)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import BrainviewTypeError, BrainviewValueError, check_number, describe

__all__ = ["assert_figure_equal", "figure_regression", "image_rms", "read_png", "write_png"]

#: Environment variable that makes missing (and differing) baselines be written instead of failing.
UPDATE_VARIABLE = "BRAINVIEW_UPDATE_BASELINES"


def read_png(path):
    """The ``(height, width, 3)`` uint8 RGB pixels of a PNG file (alpha dropped).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.png")
    >>> write_png(np.full((2, 3, 3), 7, np.uint8), path)
    >>> read_png(path).shape
    (2, 3, 3)
    """
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkIOImage import vtkPNGReader

    path = Path(path)
    reader = vtkPNGReader()
    if not path.is_file() or not reader.CanReadFile(str(path)):
        raise BrainviewValueError(f"baseline: {str(path)!r} is not a readable PNG file.")
    reader.SetFileName(str(path))
    reader.Update()
    image = reader.GetOutput()
    width, height, _ = image.GetDimensions()
    pixels = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(height, width, -1)
    if pixels.shape[2] < 3:  # grey (+ alpha)
        pixels = np.repeat(pixels[:, :, :1], 3, axis=2)
    return np.flipud(pixels[:, :, :3]).copy()


def write_png(pixels, path):
    """Write ``(height, width, 3 or 4)`` uint8 pixels (top row first) to a PNG file, making its folder."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkIOImage import vtkPNGWriter

    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width, channels = pixels.shape
    image = vtkImageData()
    image.SetDimensions(width, height, 1)
    image.GetPointData().SetScalars(numpy_to_vtk(np.flipud(pixels).reshape(-1, channels).copy(), deep=True))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    writer = vtkPNGWriter()
    writer.SetFileName(str(path))
    writer.SetInputData(image)
    writer.Write()


def image_rms(actual, expected):
    """Root-mean-square difference of two RGB uint8 images, in grey levels (0..255).

    Examples
    --------
    >>> image_rms(np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 3, np.uint8))
    3.0
    """
    return float(np.sqrt(np.mean((np.asarray(actual, float) - np.asarray(expected, float)) ** 2)))


def _pixels_of(actual):
    """RGB uint8 pixels of a figure, an image array or a PNG path."""
    if hasattr(actual, "screenshot") and hasattr(actual, "layers"):
        return actual.screenshot()
    if isinstance(actual, (str, os.PathLike)):
        return read_png(actual)
    if isinstance(actual, np.ndarray) and actual.ndim == 3 and actual.shape[2] in (3, 4):
        return np.asarray(actual[:, :, :3], dtype=np.uint8)
    raise BrainviewTypeError(
        f"actual: expected a Figure, an (h, w, 3) uint8 image or a PNG path, got {describe(actual)}.")


def assert_figure_equal(actual, baseline, *, tolerance=1.0, update=None, output_dir=None):
    """Fail unless ``actual`` looks like the baseline PNG within ``tolerance`` RMS grey levels.

    Parameters
    ----------
    actual : Figure, ndarray or path
        A figure (rendered at its size), an ``(h, w, 3)`` uint8 image, or a PNG file.
    baseline : str or Path
        The baseline PNG.
    tolerance : float
        Largest RMS difference accepted, in grey levels (0 = identical pixels).
    update : bool, optional
        Write ``actual`` as the baseline when it is missing or differs, and
        pass. Default: the ``BRAINVIEW_UPDATE_BASELINES`` environment variable.
    output_dir : str or Path, optional
        Where a failure writes ``<name>-actual.png`` and ``<name>-diff.png``
        (default: beside the baseline).

    Raises
    ------
    AssertionError
        The images differ (sizes or pixels) or the baseline is missing; the
        message names the files written.

    Examples
    --------
    >>> import tempfile, os
    >>> from brainview.scene import Figure
    >>> fig = Figure(size=(40, 30))
    >>> path = os.path.join(tempfile.mkdtemp(), "empty.png")
    >>> assert_figure_equal(fig, path, update=True)
    >>> assert_figure_equal(fig, path)
    >>> fig.close()
    """
    tolerance = check_number(tolerance, "tolerance", minimum=0)
    update = bool(os.environ.get(UPDATE_VARIABLE)) if update is None else bool(update)
    baseline = Path(baseline)
    pixels = _pixels_of(actual)
    name = baseline.stem
    if not baseline.exists():
        if update:
            write_png(pixels, baseline)
            return
        raise AssertionError(
            f"{name}: no baseline {baseline}; write it with update=True, {UPDATE_VARIABLE}=1 or pytest "
            "--brainview-update-baselines, then look at it before committing it.")
    expected = read_png(baseline)
    if pixels.shape == expected.shape:
        rms = image_rms(pixels, expected)
        if rms <= tolerance:
            return
        problem = f"RMS {rms:.2f} grey levels > tolerance {tolerance}"
    else:
        problem = f"size {pixels.shape[1]}x{pixels.shape[0]} != baseline {expected.shape[1]}x{expected.shape[0]}"
    if update:
        write_png(pixels, baseline)
        return
    folder = baseline.parent if output_dir is None else Path(output_dir)
    actual_path, diff_path = folder / f"{name}-actual.png", folder / f"{name}-diff.png"
    write_png(pixels, actual_path)
    if pixels.shape == expected.shape:
        difference = np.abs(pixels.astype(int) - expected.astype(int)).max(axis=2)
        write_png(np.repeat((255 * (difference > 0) if difference.max() < 16 else np.clip(difference * 4, 0, 255))
                            .astype(np.uint8)[:, :, None], 3, axis=2), diff_path)
        written = f"wrote {actual_path} and {diff_path}"
    else:
        written = f"wrote {actual_path}"
    raise AssertionError(f"{name}: the image differs from its baseline ({problem})\n{written}")


# ---------------------------------------------------------------- the pytest plugin


def pytest_addoption(parser):
    """``--brainview-update-baselines``: write missing or differing baselines instead of failing."""
    parser.addoption("--brainview-update-baselines", action="store_true", default=False,
                     help="brainview: write missing or differing figure baselines instead of failing")


def _figure_regression(request):
    update = request.config.getoption("--brainview-update-baselines", default=False) or None
    folder = Path(request.path).parent / "baseline"

    def check(figure, name, *, tolerance=1.0):
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            raise BrainviewValueError(f"name: expected a file name for the baseline, got {name!r}.")
        assert_figure_equal(figure, folder / f"{name}.png", tolerance=tolerance, update=update)

    return check


try:  # the fixture exists where pytest does; brainview itself never needs pytest
    import pytest as _pytest
except ImportError:  # pragma: no cover - pytest is in the test extra
    figure_regression = None
else:
    figure_regression = _pytest.fixture(_figure_regression)
    figure_regression.__doc__ = """Fixture: ``figure_regression(fig, name, tolerance=1.0)`` compares ``fig``
    with ``baseline/<name>.png`` beside the test file (see :func:`assert_figure_equal`)."""
