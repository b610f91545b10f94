"""The ``brainview`` command without a display: file dispatch and --screenshot."""

import os
import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from pathlib import Path

from brainview.gui.files import Choices, file_kind, layers_from_files, open_files, volume_role
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


def test_dispatch_by_content(files):
    kinds = [type(layer) for layer in layers_from_files([files["zmap"]])]
    assert kinds == [Slices, StatMap]  # the map goes on the MNI template
    kinds = [type(layer) for layer in layers_from_files([files["t1"], files["labels"]], atlas=True)]
    assert kinds == [Slices, Atlas]
    surface, = layers_from_files([files["pial"]], overlay=files["thickness"])
    assert isinstance(surface, Surface) and surface.overlay is not None


def _save(path, data, *, intent=None):
    img = nib.Nifti1Image(data, AFFINE)
    if intent:
        img.header.set_intent(intent)
    nib.save(img, path)
    return path


def test_uint8_t1_template_is_anatomy_not_an_atlas():
    """Bug: nilearn's uint8 MNI T1 became a 224-region atlas (confetti, 65 s)."""
    path = bv.datasets.nilearn_data_dir() / "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
    assert volume_role(path) == "anatomy"


def test_anatomy_planes_do_not_hide_each_other_with_black_padding():
    """Bug: the T1's opaque black field of view around the head hid most of the other planes."""
    path = bv.datasets.nilearn_data_dir() / "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
    planes, = open_files([path], Choices()).layers
    assert planes.transparent_below and 0 < planes.clim[0] < 0.1 * planes.clim[1]
    fig = bv.figure(size=(200, 150), antialias=False)
    fig.add(planes)
    opaque_share = (fig.screenshot().max(axis=2) > 10).mean()
    bv.close("all")
    assert opaque_share > 0.07  # the three planes' tissue, not a few slivers (0.049 before)


def test_skull_stripped_float_t1_is_anatomy(tmp_path):
    """Bug: a skull-stripped T1 (mostly zeros) became a stat map over another template."""
    ijk = np.indices((41, 41, 41))
    brain = np.where(((ijk - 20) ** 2).sum(0) < 14 ** 2, 500.0 + ijk[0], 0.0).astype(np.float32)
    assert volume_role(_save(tmp_path / "sub-01_desc-brain_T1w.nii.gz", brain)) == "anatomy"
    assert volume_role(_save(tmp_path / "image.nii.gz", brain)) == "anatomy"  # no name hint


@pytest.mark.parametrize("name, data, intent, role", [
    ("image.nii.gz", np.arange(8, dtype=np.int16).reshape(2, 2, 2), "label", "atlas"),
    ("image.nii.gz", np.arange(8, dtype=np.float32).reshape(2, 2, 2), "z score", "map"),
    ("aparc+aseg.nii.gz", np.arange(8, dtype=np.int32).reshape(2, 2, 2), None, "atlas"),
    ("sub-01_dseg.nii.gz", np.arange(8, dtype=np.int16).reshape(2, 2, 2), None, "atlas"),
    ("zstat1.nii.gz", np.arange(8, dtype=np.float32).reshape(2, 2, 2), None, "map"),
    ("labels.nii.gz", np.arange(8, dtype=np.int16).reshape(2, 2, 2), None, "atlas"),
    ("image.nii.gz", np.arange(8, dtype=np.int16).reshape(2, 2, 2), None, "anatomy"),
    ("image.nii.gz", np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 2, 2), None, "map"),
])
def test_role_from_intent_name_and_type(tmp_path, name, data, intent, role):
    assert volume_role(_save(tmp_path / name, data, intent=intent)) == role


def test_role_reads_a_sample_not_every_voxel(tmp_path, monkeypatch):
    from brainview.gui import file_types as files_module  # the role rules live there

    seen = []
    sample = files_module.sample_values
    monkeypatch.setattr(files_module, "sample_values", lambda img, data: seen.append(1) or sample(img, data))
    data = np.random.default_rng(0).normal(size=(60, 60, 60)).astype(np.float32)
    assert volume_role(_save(tmp_path / "image.nii", data)) == "map"
    assert len(seen) == 1 and sample(None, data).size <= 2 * files_module._SAMPLE_SIZE


def test_label_table_beside_the_atlas_names_its_regions(files, tmp_path):
    """Bug: the atlas's .tsv of names beside it was ignored."""
    images = _save(tmp_path / "parc.nii.gz", np.asarray(nib.load(files["labels"]).dataobj))
    (tmp_path / "parc.tsv").write_text("index\tname\n1\tleft box\n2\tright box\n3\tfront\n")
    with pytest.warns(bv.BrainviewWarning, match="names from 'parc.tsv'"):
        (atlas,) = layers_from_files([images])
    assert isinstance(atlas, Atlas) and atlas.names == ["left box", "right box", "front"]


@pytest.mark.parametrize("text, names", [
    ("# FreeSurfer LUT\n0 Unknown 0 0 0 0\n1 one 255 0 0 0\n2 two 0 255 0 0\n3 three 0 0 255 0\n",
     ["one", "two", "three"]),
    ("1 one\n2 two\n3 three\n", ["one", "two", "three"]),
    ("one\ntwo\nthree\n", ["one", "two", "three"]),
])
def test_labels_flag_reads_lut_index_name_and_name_lists(files, tmp_path, text, names):
    table = tmp_path / "names.txt"
    table.write_text(text)
    opened = open_files([files["t1"]], Choices(atlas=files["labels"], labels=table))
    assert opened.layers[-1].names == names


def test_flags_win_over_the_rules(files):
    opened = open_files([files["zmap"], files["t1"]], Choices(anat=files["zmap"], maps=files["t1"],
                                                             cmap="RdBu_r", threshold="90%"))
    kinds = {layer.name: layer.kind for layer in opened.layers}
    assert kinds == {"zmap": "slices", "t1": "stat_map"}
    assert opened.layers[-1].cmap.name == "RdBu_r"


def test_four_d_file_shows_volume_zero_with_a_note_or_the_chosen_one(tmp_path):
    data = np.stack([np.full((5, 5, 5), float(v)) for v in (-1, 2, 3)], axis=-1).astype(np.float32)
    path = _save(tmp_path / "zstat_run.nii.gz", data)
    opened = open_files([path], Choices(), anatomy=False)
    assert "volume 0" in opened.notes[0] and opened.layers[0].image.data.max() == -1
    opened = open_files([path], Choices(volume=2), anatomy=False)
    assert not opened.notes and opened.layers[0].image.data.max() == 3
    with pytest.raises(bv.BrainviewError, match="volume"):
        open_files([path], Choices(volume=7), anatomy=False)


def test_minc_file_opens():
    """Bug: tiny.mnc was 'unsupported' although bv.contour reads it."""
    tiny = Path(nib.__file__).parent / "tests" / "data" / "tiny.mnc"
    assert file_kind(tiny) == "volume"
    assert [layer.kind for layer in open_files([tiny], anatomy=False).layers]


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


@pytest.mark.parametrize("case", ["missing", "folder", "unsupported", "no file", "bad flag",
                                  "labels without atlas"])
def test_every_failure_is_one_line_and_nonzero(files, tmp_path, case):
    out = tmp_path / "out.png"
    (tmp_path / "notes.txt").write_text("hello, not an image")
    arguments = {
        "missing": [tmp_path / "nope.nii.gz"],
        "folder": [tmp_path],
        "unsupported": [tmp_path / "notes.txt"],
        "no file": [],
        "bad flag": [files["zmap"], "--volume", "x"],
        "labels without atlas": [files["zmap"], "--labels", tmp_path / "notes.txt"],
    }[case]
    result = _cli(*arguments, "--screenshot", out, tmp_path=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == (2 if case in ("no file", "bad flag") else 1)
    assert lines[-1].startswith("brainview: error: ") and "Traceback" not in result.stderr
    assert len([line for line in lines if "error" in line]) == 1
    assert not out.exists(), "no black PNG on failure"
    reason = {"missing": "not found", "folder": "folder", "unsupported": "NIfTI",
              "no file": "FILE", "bad flag": "volume", "labels without atlas": "atlas"}[case]
    assert reason in lines[-1]


def test_screenshot_into_a_missing_folder_creates_it(files, tmp_path):
    """Bug: --screenshot into a missing folder printed the path and exited 0 without writing."""
    out = tmp_path / "new" / "deeper" / "zmap.png"
    result = _cli(files["zmap"], "--screenshot", out, "--size", "120", "90", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert read_png(out).shape == (90, 120, 3)


def test_four_d_file_on_the_command_line(tmp_path):
    data = np.stack([np.full((5, 5, 5), float(v)) for v in (-1, 2)], axis=-1).astype(np.float32)
    path = _save(tmp_path / "zstat_run.nii.gz", data)
    result = _cli(path, "--screenshot", tmp_path / "a.png", "--size", "60", "40", tmp_path=tmp_path)
    assert result.returncode == 0 and "note: " in result.stderr and "volume 0" in result.stderr
    result = _cli(path, "--volume", "1", "--screenshot", tmp_path / "b.png", "--size", "60", "40",
                  tmp_path=tmp_path)
    assert result.returncode == 0 and "note" not in result.stderr, result.stderr


def test_help_documents_the_role_rules():
    result = subprocess.run([sys.executable, "-m", "brainview.gui.cli", "--help"],
                            capture_output=True, text=True, timeout=60)
    for flag in ("--anat", "--map", "--atlas", "--labels", "--volume", "--cmap", "--threshold",
                 "intent", "integer"):
        assert flag in result.stdout


# ------------------------------------------------------------------ scene files, movies, batch


@pytest.fixture
def scene(files, tmp_path):
    """A saved scene: the zmap as a stat map named zmap, a view, a title; and its own screenshot."""
    from brainview.export.scene_file import save_scene

    fig = bv.figure(size=(160, 120), antialias=False)
    bv.stat_map(str(files["zmap"]), threshold=3.0, outline=False, name="zmap")
    bv.view("left")
    bv.title("zmap")
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "scene.bvscene")
    bv.close("all")
    return tmp_path / "scene.bvscene", expected


def test_scene_file_screenshot_is_the_saved_picture(scene, tmp_path):
    path, expected = scene
    result = _cli(path, "--screenshot", tmp_path / "s.png", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no VTK chatter on a clean run either
    np.testing.assert_array_equal(read_png(tmp_path / "s.png"), expected)


def test_a_png_brainview_saved_reopens_from_the_command_line_as_its_figure(files, tmp_path):
    fig = bv.figure(size=(160, 120), antialias=False)
    bv.stat_map(str(files["zmap"]), threshold=3.0, outline=False, name="zmap")
    bv.view("left")
    expected = fig.screenshot()
    fig.savefig(tmp_path / "fig1.png")
    bv.close("all")
    result = _cli(tmp_path / "fig1.png", "--screenshot", tmp_path / "again.png", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(read_png(tmp_path / "again.png"), expected)


def test_scene_file_must_be_the_only_file(scene, files, tmp_path):
    result = _cli(scene[0], files["t1"], "--screenshot", tmp_path / "s.png", tmp_path=tmp_path)
    assert result.returncode == 2 and "only FILE" in result.stderr


def test_movie_from_the_command_line(scene, tmp_path):
    import imageio.v3 as iio

    out = tmp_path / "movie" / "spin.gif"
    result = _cli(scene[0], "--movie", out, "--orbit", "90", "--frames", "6", "--fps", "20",
                  tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 6 and frames.shape[1:3] == (120, 160)


def test_movie_with_a_gif_fps_it_cannot_store_is_one_line(scene, tmp_path):
    result = _cli(scene[0], "--movie", tmp_path / "x.gif", "--fps", "24", "--frames", "4", tmp_path=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("brainview: error:") and "25" in result.stderr
    assert not (tmp_path / "x.gif").exists()


def test_batch_subcommand_renders_every_file(scene, files, tmp_path):
    result = _cli("batch", scene[0], "--replace", f"zmap={files['zmap']}", "--out", tmp_path / "qc",
                  tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    pngs = list((tmp_path / "qc").glob("*.png"))
    assert len(pngs) == 1 and (tmp_path / "qc" / "index.html").exists()
    np.testing.assert_array_equal(read_png(pngs[0]), scene[1])


# ------------------------------------------------------------------ opened files keep their sources


def test_opened_files_are_layer_parameters_as_their_paths(files, tmp_path):
    """Bug: opened files became anonymous (array, affine) inputs, saved as .npy copies."""
    data = np.stack([np.full((5, 5, 5), float(v)) for v in (-1, 2, 3)], axis=-1).astype(np.float32)
    run = _save(tmp_path / "zstat_run.nii.gz", data)
    opened = open_files([files["t1"], files["zmap"], files["labels"], run], Choices(atlas=files["labels"]))
    params = {layer.name: layer.get_params() for layer in opened.layers}
    assert {name: str(p["img"] if "img" in p else p["atlas"]) for name, p in params.items()} == {
        "t1": str(files["t1"]), "zmap": str(files["zmap"]), "zstat_run": str(run), "labels": str(files["labels"])}
    assert params["zstat_run"]["volume"] == 0 and params["zmap"]["volume"] is None


def test_template_under_a_map_is_its_loader_call_not_private_attributes(files):
    """Bug: the exported script crashed on bv.datasets.load_mni152(resolution=1)['_affine']."""
    from brainview.datasets import dataset_call

    template, _ = open_files([files["zmap"]], Choices()).layers
    image = template.get_params()["img"]
    assert dataset_call(image) == ("load_mni152", {"resolution": 1}, None)
    assert dataset_call(image.affine) is None, "an image's affine is no entry of the loader's result"


def test_dataset_call_is_remembered_while_the_data_lives_past_many_loads():
    """A session outlives many loader calls: an image still in use keeps its loader call."""
    from brainview.datasets import dataset_call, load_mni152, load_motor_map

    image = load_mni152(resolution=2)
    for _ in range(80):
        load_motor_map()
    assert dataset_call(image) == ("load_mni152", {"resolution": 2}, None)


def test_session_and_script_of_opened_files_reference_them_and_run_in_a_fresh_process(files, tmp_path):
    """The saved session and the exported script name the files and draw the same picture elsewhere."""
    import json

    from brainview.export.scene_file import save_scene
    from brainview.export.script import export_script

    fig = bv.figure(size=(120, 90), antialias=False)
    for layer in open_files([files["zmap"], files["labels"]], Choices(atlas=files["labels"])).layers:
        fig.add(layer)
    expected = fig.screenshot()
    out = tmp_path / "out"
    save_scene(fig, out / "scene.bvscene")
    export_script(fig, out / "scene.py")
    bv.close("all")
    assert not (out / "scene_data").exists(), "no copies of the files"
    scene = json.loads((out / "scene.bvscene").read_text())
    assert scene["layers"][1]["params"]["img"]["$file"]["path"] == "../zmap.nii.gz"
    assert scene["layers"][2]["params"]["atlas"]["$file"]["path"] == "../labels.nii.gz"
    text = (out / "scene.py").read_text()
    assert "bv.datasets.load_mni152(resolution=1)," in text and "_affine" not in text
    assert "HERE / '../zmap.nii.gz'" in text and "HERE / '../labels.nii.gz'" in text
    code = ("import runpy, sys, numpy as np, brainview as bv\n"
            "np.save(sys.argv[2], runpy.run_path(sys.argv[1])['fig'].screenshot())\n"
            "np.save(sys.argv[4], bv.load_scene(sys.argv[3], allow_outside=True).screenshot())\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-c", code, out / "scene.py", out / "script.npy",
                             out / "scene.bvscene", out / "scene.npy"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(np.load(out / "script.npy"), expected)
    np.testing.assert_array_equal(np.load(out / "scene.npy"), expected)
