"""The ``brainview`` command without a display: file dispatch and --screenshot."""

import os
import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.gui.files import layers_from_files, volume_role
from brainview.layers import Atlas, Slices, StatMap, Surface

from conftest import read_png

AFFINE = np.array([[2.0, 0, 0, -40], [0, 2, 0, -40], [0, 0, 2, -40], [0, 0, 0, 1]])


@pytest.fixture
def files(tmp_path):
    ijk = np.indices((41, 41, 41))
    anatomy = (100 * np.exp(-((ijk - 20) ** 2).sum(0) / 300.0)).astype(np.float32) + 1
    labels = np.zeros((41, 41, 41), np.int16)
    labels[5:15, 5:15, 5:15], labels[20:30, 20:30, 20:30], labels[5:12, 25:35, 10:20] = 1, 2, 3
    zmap = np.zeros((41, 41, 41), np.float32)
    zmap[15:25, 15:25, 15:25] = 5.0
    zmap[28:34, 5:12, 5:12] = -4.0
    paths = {}
    for name, data in (("t1", anatomy), ("labels", labels), ("zmap", zmap)):
        paths[name] = tmp_path / f"{name}.nii.gz"
        nib.save(nib.Nifti1Image(data, AFFINE), paths[name])
    surface = bv.datasets.fsaverage5_surface("pial", hemi="left")
    gifti = nib.gifti.GiftiImage(darrays=[
        nib.gifti.GiftiDataArray(surface.vertices.astype(np.float32), intent="NIFTI_INTENT_POINTSET"),
        nib.gifti.GiftiDataArray(surface.faces.astype(np.int32), intent="NIFTI_INTENT_TRIANGLE")])
    paths["pial"] = tmp_path / "lh.pial.gii"
    nib.save(gifti, paths["pial"])
    thickness = nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(
        np.linspace(1, 4, surface.n_vertices).astype(np.float32), intent="NIFTI_INTENT_SHAPE")])
    paths["thickness"] = tmp_path / "thickness.gii"
    nib.save(thickness, paths["thickness"])
    return paths


def test_volume_roles():
    assert volume_role(np.arange(27).reshape(3, 3, 3) % 4) == "labels"
    assert volume_role(np.linspace(-3, 3, 27).reshape(3, 3, 3)) == "map"
    assert volume_role(np.linspace(1, 9, 27).reshape(3, 3, 3)) == "anatomy"


def test_dispatch_by_content(files):
    kinds = [type(layer) for layer in layers_from_files([files["zmap"]])]
    assert kinds == [Slices, StatMap]  # the map goes on the MNI template
    kinds = [type(layer) for layer in layers_from_files([files["t1"], files["labels"]], atlas=True)]
    assert kinds == [Slices, Atlas]
    surface, = layers_from_files([files["pial"]], overlay=files["thickness"])
    assert isinstance(surface, Surface) and surface.overlay is not None


def _cli(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-m", "brainview.gui.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)


@pytest.mark.parametrize("case", ["zmap", "atlas", "surface", "demo"])
def test_screenshot_without_a_window(files, tmp_path, case):
    out = tmp_path / f"{case}.png"
    arguments = {
        "zmap": [files["zmap"]],
        "atlas": [files["t1"], files["labels"], "--atlas"],
        "surface": [files["pial"], "--overlay", files["thickness"], "--view", "left"],
        "demo": ["demo"],
    }[case]
    result = _cli(*arguments, "--screenshot", out, "--size", "300", "200", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    pixels = read_png(out)
    assert pixels.shape == (200, 300, 3) and pixels.std() > 5


def test_bad_file_is_a_clean_error(tmp_path):
    broken = tmp_path / "broken.nii.gz"
    broken.write_bytes(b"nope")
    result = _cli(broken, "--screenshot", tmp_path / "x.png", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "broken.nii.gz" in result.stderr and "Traceback" not in result.stderr
