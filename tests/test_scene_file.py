"""The layer contract and scene files: parameters as given, clones, save/load, script export.

Round trips run over every registered layer kind (brainview.layers.registry):
a kind added later is tested here without touching this file.
"""

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, SceneFileError
from brainview.export.scene_file import VERSION, load_scene, save_scene
from brainview.layers.registry import LAYER_KINDS

from test_api import AFFINE, VERBS, _blob

SIZE = (120, 100)
FIXTURE = Path(__file__).parent / "data" / "scene_v1.bvscene"


def _no_display_env():
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}


def _build(kind):
    """A figure holding one layer of ``kind`` built from test_api's small inputs."""
    args, options, _ = VERBS[kind]
    fig = bv.figure(size=SIZE, antialias=False)
    layer = getattr(bv, kind)(*args(), **options)
    return fig, layer


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


# ------------------------------------------------------------ the contract


def test_registry_has_a_verb_for_every_kind():
    for kind, cls in LAYER_KINDS.items():
        assert cls.kind == kind
        assert callable(getattr(bv, kind)), f"no bv.{kind} verb for {cls.__name__}"


#: Verb-only parameters (a verb may add, never change, what its class takes).
VERB_EXTRAS = {"stat_map": {"masker", "selected"}}
#: Verb defaults that differ from the class on purpose, with the reason.
VERB_DEFAULTS = {}


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_verb_signature_is_the_class_signature(kind):
    import inspect

    cls = LAYER_KINDS[kind]
    verb = inspect.signature(getattr(bv, kind)).parameters
    init = dict(list(inspect.signature(cls.__init__).parameters.items())[1:])
    assert set(verb) - set(init) == VERB_EXTRAS.get(kind, set())
    assert set(init) <= set(verb), f"bv.{kind} lacks {set(init) - set(verb)}"
    for name, parameter in init.items():
        if (kind, name) not in VERB_DEFAULTS:
            assert verb[name].default == parameter.default, f"bv.{kind}({name}=) default differs"
            assert verb[name].kind == parameter.kind, f"bv.{kind}({name}=) kind differs"


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_help_of_a_verb_documents_every_parameter(kind):
    import inspect

    verb = getattr(bv, kind)
    undocumented = [name for name in inspect.signature(verb).parameters
                    if f"{name} :" not in verb.__doc__ and f", {name}" not in verb.__doc__
                    and f"{name}," not in verb.__doc__]
    assert not undocumented, f"help(bv.{kind}) does not document {undocumented}"


def test_get_params_returns_the_arguments_as_given(tmp_path):
    path = tmp_path / "z.nii.gz"
    nib.save(nib.Nifti1Image(_blob(), AFFINE), path)
    z = bv.stat_map(str(path), threshold="95%", outline=False)
    params = z.get_params()
    assert params["threshold"] == "95%"
    assert params["img"] == str(path)
    assert params["vmax"] is None


def test_setting_a_trait_updates_its_parameter_and_other_settings_go_to_state():
    fig, layer = _build("contour")
    layer.level = 3.0
    layer.visible = False
    assert layer.get_params()["level"] == 3.0
    assert layer.get_state() == {"visible": False}


def test_setting_the_kind_is_refused_and_leaves_the_kind_readable():
    fig, layer = _build("points")
    with pytest.raises(BrainviewError, match="kind: Points.kind is fixed"):
        layer.kind = "x"
    assert layer.kind == "points"


def test_refused_value_leaves_the_parameters_unchanged():
    fig, layer = _build("contour")
    with pytest.raises(BrainviewError):
        layer.opacity = 7
    assert layer.get_params()["opacity"] == 1.0


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_clone_from_get_params_draws_the_same_picture(kind):
    fig, layer = _build(kind)
    expected = fig.screenshot()
    camera = fig.camera
    clone_fig = bv.figure(size=SIZE, antialias=False)
    clone_fig.add(type(layer)(**layer.get_params()))
    clone_fig.camera = camera
    np.testing.assert_array_equal(clone_fig.screenshot(), expected)


@pytest.mark.parametrize("kind", sorted(LAYER_KINDS))
def test_layer_pickles_as_its_parameters_and_draws_the_same_picture(kind):
    fig, layer = _build(kind)
    layer.opacity = 0.8
    expected = fig.screenshot()
    camera = fig.camera
    copy = pickle.loads(pickle.dumps(layer))
    assert copy.get_params().keys() == layer.get_params().keys()
    other = bv.figure(size=SIZE, antialias=False)
    other.add(copy)
    other.camera = camera
    np.testing.assert_array_equal(other.screenshot(), expected)


def test_camera_pose_round_trips_exactly():
    fig, _ = _build("points")
    pose = {"position": (12.5, -310.25, 40.125), "focal_point": (1.0, 2.0, 3.0),
            "view_up": (0.0, 0.0, 1.0), "view_angle": 27.5}
    fig.camera = pose
    assert fig.camera == pose


@pytest.mark.parametrize("pose", [
    {"position": (0, 0, 1)},
    {"position": (0, 0, 0), "focal_point": (0, 0, 0), "view_up": (0, 0, 1), "view_angle": 30},
    {"position": (0, 0, 9), "focal_point": (0, 0, 0), "view_up": (0, 0, 1), "view_angle": 30},
    {"position": (0, 0, 9), "focal_point": (0, 0, 0), "view_up": (0, 1, 0), "view_angle": 0},
    {"position": (0, 0, np.nan), "focal_point": (0, 0, 0), "view_up": (0, 1, 0), "view_angle": 30},
])
def test_bad_camera_pose_is_refused_with_a_named_error(pose):
    fig, _ = _build("points")
    with pytest.raises(BrainviewError, match="camera"):
        fig.camera = pose


# ------------------------------------------------------------ round trips

_REPLAY = r"""
import sys, runpy, numpy as np
import brainview as bv
for source, target in zip(sys.argv[1::2], sys.argv[2::2]):
    if source.endswith(".py"):
        fig = runpy.run_path(source)["fig"]
    else:
        fig = bv.load_scene(source)
    np.save(target, fig.screenshot())
    bv.close("all")
"""


def _replay_in_fresh_process(pairs):
    """Screenshots of scene files / exported scripts, made in one new Python process."""
    argv = [str(p) for pair in pairs for p in pair]
    result = subprocess.run([sys.executable, "-c", _REPLAY, *argv], env=_no_display_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return [np.load(target) for _, target in pairs]


def test_every_kind_round_trips_through_scene_files_and_scripts_in_a_fresh_process(tmp_path):
    expected, pairs = {}, []
    for kind in sorted(LAYER_KINDS):
        fig, layer = _build(kind)
        layer.opacity = 0.9  # a setting changed after creation travels too
        fig.title(kind, size=12)
        expected[kind] = fig.screenshot()
        save_scene(fig, tmp_path / f"{kind}.bvscene")
        bv.export_script(tmp_path / f"{kind}_script.py")
        pairs += [(tmp_path / f"{kind}.bvscene", tmp_path / f"{kind}_scene.npy"),
                  (tmp_path / f"{kind}_script.py", tmp_path / f"{kind}_script.npy")]
        bv.close("all")
    images = iter(_replay_in_fresh_process(pairs))
    for kind in sorted(LAYER_KINDS):
        np.testing.assert_array_equal(next(images), expected[kind], err_msg=f"{kind}: scene file")
        np.testing.assert_array_equal(next(images), expected[kind], err_msg=f"{kind}: exported script")


def test_showcase_round_trips_in_a_fresh_process_through_scene_and_script(tmp_path):
    from brainview.demo import showcase

    fig = showcase(size=(200, 150))
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "showcase.bvscene")
    from brainview.export.script import export_script

    export_script(fig, tmp_path / "showcase.py")
    fig.close()
    text = (tmp_path / "showcase.bvscene").read_text()
    assert '"$dataset"' in text and "load_motor_map" in text  # referenced, not copied
    assert not (tmp_path / "showcase_data").exists()
    scene_image, script_image = _replay_in_fresh_process([
        (tmp_path / "showcase.bvscene", tmp_path / "scene.npy"),
        (tmp_path / "showcase.py", tmp_path / "script.npy")])
    np.testing.assert_array_equal(scene_image, expected)
    np.testing.assert_array_equal(script_image, expected)


def test_user_file_is_referenced_relative_with_its_hash_and_moves_with_the_scene(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    nib.save(nib.Nifti1Image(_blob(), AFFINE), folder / "blob.nii.gz")
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(str(folder / "blob.nii.gz"), level=2.0)
    expected = fig.screenshot()
    save_scene(fig, folder / "figure.bvscene")
    entry = json.loads((folder / "figure.bvscene").read_text())["layers"][0]["params"]["img"]["$file"]
    assert entry["path"] == "blob.nii.gz" and len(entry["sha256"]) == 64
    moved = shutil.move(str(folder), str(tmp_path / "elsewhere"))
    np.testing.assert_array_equal(load_scene(Path(moved) / "figure.bvscene").screenshot(), expected)


def test_in_memory_data_goes_to_sidecar_files_not_inline_json(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.volume((_blob(), AFFINE), clim=(1, 5))
    save_scene(fig, tmp_path / "v.bvscene")
    assert (tmp_path / "v.bvscene").stat().st_size < 5000
    assert sorted(p.suffix for p in (tmp_path / "v_data").iterdir()) == [".npy"]


def test_single_file_bvz_holds_the_users_files_too(tmp_path):
    nib.save(nib.Nifti1Image(_blob(), AFFINE), tmp_path / "blob.nii.gz")
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(str(tmp_path / "blob.nii.gz"), level=2.0)
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "one.bvz")
    (tmp_path / "blob.nii.gz").unlink()
    np.testing.assert_array_equal(load_scene(tmp_path / "one.bvz").screenshot(), expected)


def test_nibabel_image_in_memory_is_saved_as_nifti(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(nib.Nifti1Image(_blob(), AFFINE), level=2.0)
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "n.bvscene")
    assert [p.name for p in (tmp_path / "n_data").iterdir()] == ["layer0_img.nii.gz"]
    np.testing.assert_array_equal(load_scene(tmp_path / "n.bvscene").screenshot(), expected)
    bv.export_script(tmp_path / "n.py")
    import runpy

    script_fig = runpy.run_path(str(tmp_path / "n.py"))["fig"]
    np.testing.assert_array_equal(script_fig.screenshot(), expected)


def test_dataset_changed_in_place_is_saved_as_data_not_as_the_loader_call(tmp_path):
    image = bv.datasets.load_motor_map()
    data = np.asanyarray(image.dataobj)
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(nib.Nifti1Image(data * 2, image.affine), level=4.0)  # new data: sidecar
    bv.contour(image, level=4.0)  # unchanged: the loader call
    save_scene(fig, tmp_path / "d.bvscene")
    layers = json.loads((tmp_path / "d.bvscene").read_text())["layers"]
    assert "$file" in layers[0]["params"]["img"] and "$dataset" in layers[1]["params"]["img"]


def test_version_1_fixture_still_loads():
    # Kept as written by version 1: a later version must migrate it, not break it.
    fig = load_scene(FIXTURE)
    assert [layer.kind for layer in fig.layers] == ["points", "stat_map"]
    assert fig.layers[1].get_params()["threshold"] == "90%"
    assert fig.layers[0].get_state() == {"visible": True}
    assert fig.camera["view_angle"] == 30.0
    assert fig.screenshot().std() > 1


# ------------------------------------------------------------ bad scene files


def _valid_scene(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.points(np.array([[0.0, 0, 0], [20, 10, 5]]))
    save_scene(fig, tmp_path / "ok.bvscene")
    return json.loads((tmp_path / "ok.bvscene").read_text())


def _write(tmp_path, scene, name="bad.bvscene"):
    path = tmp_path / name
    path.write_text(scene if isinstance(scene, str) else json.dumps(scene))
    return path


@pytest.mark.parametrize("change, message", [
    (lambda s: "{not json", "not JSON"),
    (lambda s: json.dumps(s).replace('"points"', '"teapot"', 1), "unknown layer kind 'teapot'"),
    (lambda s: {**s, "format": "other"}, "not a brainview scene file"),
    (lambda s: {**s, "version": VERSION + 1}, "newer brainview"),
    (lambda s: {**s, "layers": {"a": 1}}, "'layers' must be a list"),
    (lambda s: {**s, "figure": 3}, "'figure'"),
    (lambda s: json.dumps(s).replace('"opacity": 1.0', '"opacity": NaN'), "NaN"),
    (lambda s: {**s, "layers": [dict(s["layers"][0], params={"coords": {"$python": "os.system"}})]},
     "unknown value"),
    (lambda s: {**s, "layers": [dict(s["layers"][0], params={"coords": {"$dataset": {"loader": "system"}}})]},
     "unknown dataset loader"),
])
def test_bad_scene_file_is_a_brainview_error_naming_the_file(tmp_path, change, message):
    path = _write(tmp_path, change(_valid_scene(tmp_path)))
    with pytest.raises(SceneFileError, match=message) as info:
        load_scene(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_pickle_renamed_to_bvscene_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.bvscene"
    path.write_bytes(pickle.dumps({"format": "brainview.scene"}))
    with pytest.raises(SceneFileError, match="not JSON"):
        load_scene(path)


def test_missing_data_file_is_named(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.volume((_blob(), AFFINE), clim=(1, 5))
    save_scene(fig, tmp_path / "v.bvscene")
    shutil.rmtree(tmp_path / "v_data")
    with pytest.raises(SceneFileError, match="layer0_img_0.npy' is missing"):
        load_scene(tmp_path / "v.bvscene")


def test_changed_data_file_is_named_without_revealing_its_hash_or_size(tmp_path):
    nib.save(nib.Nifti1Image(_blob(), AFFINE), tmp_path / "blob.nii.gz")
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(str(tmp_path / "blob.nii.gz"), level=2.0)
    save_scene(fig, tmp_path / "c.bvscene")
    nib.save(nib.Nifti1Image(_blob() * 2, AFFINE), tmp_path / "blob.nii.gz")
    with pytest.raises(SceneFileError, match=r"'blob.nii.gz' has changed since the scene was saved") as info:
        load_scene(tmp_path / "c.bvscene")
    from brainview.export._encoding import file_digest

    sha, size = file_digest(tmp_path / "blob.nii.gz")
    assert sha not in str(info.value) and str(size) not in str(info.value)


def test_missing_scene_file_is_named(tmp_path):
    with pytest.raises(SceneFileError, match="no such scene file"):
        load_scene(tmp_path / "nothing.bvscene")


def test_nan_parameter_cannot_be_saved(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    layer = bv.points(np.array([[0.0, 0, 0]]))
    layer._params["size"] = float("nan")  # simulate a NaN that slipped in
    with pytest.raises(BrainviewError, match="NaN"):
        save_scene(fig, tmp_path / "nan.bvscene")
    assert not (tmp_path / "nan.bvscene").exists()


def test_title_and_texts_are_live_models_that_scene_files_keep(tmp_path):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.points(np.array([[0.0, 0, 0], [20, 10, 5]]))
    title = bv.title("before", size=14)
    note = bv.text("n = 12", position=(0.05, 0.05), size=10)
    assert bv.title("again") is title and len(fig.annotations) == 2  # one title
    title.text, note.position, note.color = "after", (0.5, 0.1), "yellow"
    assert title.actor.GetInput() == "after"
    with pytest.raises(BrainviewError, match="position"):
        note.position = (2, 0)
    fig.bgcolor = "white"
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "t.bvscene")
    loaded = load_scene(tmp_path / "t.bvscene")
    assert [a.spec() for a in loaded.annotations] == [a.spec() for a in fig.annotations]
    assert loaded.bgcolor == (1.0, 1.0, 1.0)
    np.testing.assert_array_equal(loaded.screenshot(), expected)
    loaded.close()
