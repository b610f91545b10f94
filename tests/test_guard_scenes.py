"""Hostile scene files and .bvz archives: confined to their folder, bounded, never a raw crash (issue 23).

Every case here is a file an attacker could hand a user. Each must end in a
brainview error (or load correctly where the user allowed it), never read
outside the scene's folder unasked, never tell a file's hash or size, never
allocate past the memory budget and never hang.
"""

import gzip
import json
import os
import shutil
import stat
import threading
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.errors import BrainviewError, MemoryBudgetError, SceneFileError
from brainview.export._encoding import file_digest
from brainview.export.scene_file import SceneTemplate, load_scene, save_scene, scene_references
from brainview.gui.cli import main as cli_main

from test_api import AFFINE, _blob

SIZE = (60, 50)


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


def _contour_scene(folder, data, name="scene.bvscene"):
    """A scene in ``folder`` drawing a contour of the NIfTI file ``data`` (anywhere)."""
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(str(data), level=2.0)
    expected = fig.screenshot()
    folder.mkdir(parents=True, exist_ok=True)
    save_scene(fig, folder / name)
    bv.close("all")
    return folder / name, expected


def _points_scene(tmp_path, name="ok.bvscene"):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.points(np.array([[0.0, 0, 0], [20, 10, 5]]), name="dots")
    save_scene(fig, tmp_path / name)
    bv.close("all")
    return json.loads((tmp_path / name).read_text())


def _write(path, scene):
    path.write_text(json.dumps(scene))
    return path


def _with_reference(scene, record):
    """``scene`` whose first layer's coords are a ``$file`` record."""
    layer = dict(scene["layers"][0], params={**scene["layers"][0]["params"], "coords": {"$file": record}})
    return {**scene, "layers": [layer]}


def _record(path, reference, role="npy"):
    sha, size = file_digest(path)
    return {"path": reference, "sha256": sha, "size": size, "role": role}


# ------------------------------------------------------------ 1. confined to the folder


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_reference_leaving_the_scene_folder_is_refused_with_the_way_to_allow_it(tmp_path, how):
    secret = tmp_path / "secret.npy"
    np.save(secret, np.zeros((2, 3)))
    folder = tmp_path / "scene"
    scene = _points_scene(folder)
    reference = {"parent": "../secret.npy", "absolute": str(secret), "symlink": "link.npy"}[how]
    if how == "symlink":
        os.symlink(secret, folder / "link.npy")
    path = _write(folder / "evil.bvscene", _with_reference(scene, _record(secret, reference)))
    with pytest.raises(SceneFileError, match="allow_outside=True") as info:
        load_scene(path)
    sha, size = file_digest(secret)
    assert sha not in str(info.value) and f"{size} bytes" not in str(info.value)
    # asked for, it loads: the user trusts the scene
    assert load_scene(path, allow_outside=True).layers[0].kind == "points"
    assert scene_references(path, outside_only=True) == [secret.resolve()]


def test_scene_saved_with_its_data_in_a_parent_folder_loads_with_allow_outside(tmp_path):
    data = tmp_path / "data" / "sub-01" / "zmap.nii.gz"
    data.parent.mkdir(parents=True)
    nib.save(nib.Nifti1Image(_blob(), AFFINE), data)
    path, expected = _contour_scene(tmp_path / "figures", data)
    with pytest.raises(SceneFileError, match=r"'\.\./data/sub-01/zmap\.nii\.gz' is outside.*allow_outside=True"):
        load_scene(path)
    np.testing.assert_array_equal(load_scene(path, allow_outside=True).screenshot(), expected)


def test_hash_mismatch_of_an_outside_file_tells_nothing_about_it(tmp_path):
    target = tmp_path / "shadow"
    target.write_bytes(b"root:secret-hash:19000::::::\n")
    folder = tmp_path / "scene"
    scene = _points_scene(folder)
    record = {"path": str(target), "sha256": "0" * 64, "size": 1, "role": "input"}
    path = _write(folder / "probe.bvscene", _with_reference(scene, record))
    for allow in (False, True):
        with pytest.raises(SceneFileError) as info:
            load_scene(path, allow_outside=allow)
        sha, size = file_digest(target)
        message = str(info.value).replace(str(tmp_path), "<tmp>")  # pytest-293 holds "29"
        assert sha not in message and str(size) not in message


@pytest.mark.parametrize("reference", ["/proc/self/pagemap", "/dev/zero", "/sys/kernel/notes",
                                       "/proc/self/environ"])
def test_system_files_are_refused_even_when_outside_files_are_allowed(tmp_path, reference):
    scene = _points_scene(tmp_path)
    path = _write(tmp_path / "proc.bvscene",
                  _with_reference(scene, {"path": reference, "sha256": "0" * 64, "size": 0, "role": "npy"}))
    with pytest.raises(SceneFileError, match="system file"):
        load_scene(path, allow_outside=True)


def test_fifo_in_the_scene_folder_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.npy")
    scene = _points_scene(tmp_path)
    path = _write(tmp_path / "fifo.bvscene",
                  _with_reference(scene, {"path": "pipe.npy", "sha256": "0" * 64, "size": 0, "role": "npy"}))
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_error_of(load_scene, path)), daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the reader before failing
        with open(tmp_path / "pipe.npy", "wb"):
            pass
        pytest.fail("loading a scene referencing a FIFO blocked")
    assert isinstance(outcome[0], SceneFileError) and "not a regular file" in str(outcome[0])


def _error_of(function, *args, **options):
    try:
        function(*args, **options)
    except BrainviewError as error:
        return error
    return None


def test_scene_file_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.bvscene")
    with pytest.raises(SceneFileError, match="not a regular file"):
        load_scene(tmp_path / "pipe.bvscene")


# ------------------------------------------------------------ .bvz archives


def _bvz(tmp_path, scene, members=(), name="evil.bvz"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("scene.bvscene", json.dumps(scene))
        for member, data in members:
            archive.writestr(member, data)
    return path


@pytest.mark.parametrize("reference", ["../outside.npy", "/etc/passwd", "a/../../outside.npy"])
def test_bvz_reference_leaving_the_archive_is_refused(tmp_path, reference):
    np.save(tmp_path / "outside.npy", np.zeros((2, 3)))
    scene = _with_reference(_points_scene(tmp_path), _record(tmp_path / "outside.npy", reference))
    with pytest.raises(SceneFileError, match="self-contained"):
        load_scene(_bvz(tmp_path, scene))


def _npy_bytes(array):
    import io

    stream = io.BytesIO()
    np.save(stream, array)
    return stream.getvalue()


def test_bvz_symlink_member_is_a_scene_error(tmp_path):
    data = _npy_bytes(np.zeros((2, 3)))
    (tmp_path / "d.npy").write_bytes(data)
    scene = _with_reference(_points_scene(tmp_path), _record(tmp_path / "d.npy", "d.npy"))
    path = tmp_path / "link.bvz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("scene.bvscene", json.dumps(scene))
        info = zipfile.ZipInfo("d.npy")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, data)
    with pytest.raises(SceneFileError, match="symbolic link"):
        load_scene(path)


def test_bvz_member_with_a_bad_crc_is_a_scene_error(tmp_path):
    data = _npy_bytes(np.arange(6.0).reshape(2, 3))
    (tmp_path / "d.npy").write_bytes(data)
    scene = _with_reference(_points_scene(tmp_path), _record(tmp_path / "d.npy", "d.npy"))
    path = tmp_path / "crc.bvz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("scene.bvscene", json.dumps(scene))
        archive.writestr("d.npy", data)
    raw = bytearray(path.read_bytes())
    at = raw.rindex(data[-8:])  # the stored member's last bytes
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(SceneFileError, match="corrupt"):
        load_scene(path)


def test_bvz_unreferenced_bomb_member_is_never_inflated(tmp_path):
    bomb = b"\0" * (128 * 2**20)
    path = _bvz(tmp_path, _points_scene(tmp_path), [("bomb.bin", bomb)])
    assert path.stat().st_size < 2**20
    with bv.set_limits(max_bytes=16 * 2**20):
        assert load_scene(path).layers[0].kind == "points"


def test_bvz_referenced_bomb_member_is_refused_before_inflating(tmp_path):
    (tmp_path / "bomb.npy").write_bytes(_npy_bytes(np.zeros(16 * 2**20)))  # 128 MiB
    scene = _with_reference(_points_scene(tmp_path), _record(tmp_path / "bomb.npy", "bomb.npy"))
    path = _bvz(tmp_path, scene, [("bomb.npy", (tmp_path / "bomb.npy").read_bytes())])
    (tmp_path / "bomb.npy").unlink()
    with bv.set_limits(max_bytes=16 * 2**20):
        with pytest.raises(MemoryBudgetError, match="bomb.npy"):
            load_scene(path)


def test_bvz_scene_json_over_16_mib_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.bvz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("scene.bvscene", b" " * (20 * 2**20))
    with pytest.raises(SceneFileError, match="declares"):
        load_scene(path)


def test_zip_appended_to_a_bvscene_is_not_loaded_in_place_of_its_json(tmp_path):
    visible = _points_scene(tmp_path)
    hidden = _bvz(tmp_path, {**visible, "layers": []}, name="hidden.bvz")
    path = tmp_path / "polyglot.bvscene"
    path.write_bytes(json.dumps(visible).encode() + hidden.read_bytes())
    assert zipfile.is_zipfile(path)
    with pytest.raises(SceneFileError, match="not JSON"):
        load_scene(path)


def test_bvz_saved_by_brainview_still_round_trips(tmp_path):
    nib.save(nib.Nifti1Image(_blob(), AFFINE), tmp_path / "blob.nii.gz")
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(str(tmp_path / "blob.nii.gz"), level=2.0)
    bv.volume((_blob(), AFFINE), clim=(1, 5))
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "one.bvz")
    bv.close("all")
    with bv.set_limits(max_bytes=64 * 2**20):
        np.testing.assert_array_equal(load_scene(tmp_path / "one.bvz").screenshot(), expected)


# ------------------------------------------------------------ 3-4. memory budget, gzip CRC


@pytest.mark.parametrize("dtype", ["<U500000000", "|O", "|V8", "<c16", "|S4", "<M8[s]"])
def test_inline_array_of_a_huge_or_non_numeric_dtype_is_refused_before_allocating(tmp_path, dtype):
    scene = _points_scene(tmp_path)
    layer = scene["layers"][0]
    layer["params"]["coords"] = {"$array": {"dtype": dtype, "shape": [1], "data": ["x"]}}
    with pytest.raises(SceneFileError, match="inline array"):
        load_scene(_write(tmp_path / "u.bvscene", scene))


def test_inline_array_whose_shape_does_not_hold_its_values_is_refused(tmp_path):
    scene = _points_scene(tmp_path)
    scene["layers"][0]["params"]["coords"] = {"$array": {"dtype": "<f8", "shape": [100000, 100000, 3],
                                                         "data": [0.0] * 3}}
    with pytest.raises(SceneFileError, match="does not hold"):
        load_scene(_write(tmp_path / "s.bvscene", scene))


def _nifti_sidecar_scene(tmp_path, data):
    """A scene whose volume layer's image is a NIfTI sidecar, and that sidecar's path."""
    fig = bv.figure(size=SIZE, antialias=False)
    bv.volume(nib.Nifti1Image(np.ascontiguousarray(data), AFFINE), clim=(1, 5))
    save_scene(fig, tmp_path / "n.bvscene")
    bv.close("all")
    return tmp_path / "n.bvscene", next((tmp_path / "n_data").glob("*.nii.gz"))


def _rehash(scene_path, sidecar):
    """Make the scene's record of ``sidecar`` match its (changed) bytes: what an attacker does."""
    scene = json.loads(scene_path.read_text())
    text = json.dumps(scene)
    old = next(r for r in _records(scene) if r["path"].endswith(sidecar.name))
    sha, size = file_digest(sidecar)
    text = text.replace(old["sha256"], sha).replace(f'"size": {old["size"]}', f'"size": {size}')
    scene_path.write_text(text)


def _records(value):
    if isinstance(value, dict):
        if "$file" in value:
            yield value["$file"]
        for child in value.values():
            yield from _records(child)
    elif isinstance(value, list):
        for child in value:
            yield from _records(child)


def test_c_ordered_nifti_sidecar_inflating_past_the_budget_is_refused_before_inflating(tmp_path):
    path, sidecar = _nifti_sidecar_scene(tmp_path, _blob())
    header = nib.Nifti1Header()
    header.set_data_shape((1024, 1024, 256))  # 1 GiB of uint32 zeros, a few MB compressed
    header.set_data_dtype(np.uint32)
    header.set_qform(AFFINE, 1)
    raw = header.binaryblock + b"\0" * 4 + b"\0" * (4 * 2**20)  # the header plus a 4 MiB start of its data
    sidecar.write_bytes(gzip.compress(raw, compresslevel=1))
    _rehash(path, sidecar)
    with bv.set_limits(max_bytes=256 * 2**20):
        with pytest.raises(MemoryBudgetError, match="GiB"):
            load_scene(path)


def test_corrupted_gzip_sidecar_is_an_error_not_a_silent_load(tmp_path):
    path, sidecar = _nifti_sidecar_scene(tmp_path, _blob())
    raw = bytearray(sidecar.read_bytes())
    raw[-8] ^= 0xFF  # the gzip trailer's CRC-32
    sidecar.write_bytes(bytes(raw))
    _rehash(path, sidecar)
    with pytest.raises(SceneFileError, match="corrupt"):
        load_scene(path)


def test_truncated_nifti_sidecar_is_an_error(tmp_path):
    path, sidecar = _nifti_sidecar_scene(tmp_path, _blob())
    raw = gzip.decompress(sidecar.read_bytes())
    sidecar.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    _rehash(path, sidecar)
    with pytest.raises(SceneFileError, match="truncated"):
        load_scene(path)


def test_nifti_sidecar_in_c_order_round_trips_the_picture(tmp_path):
    data = np.ascontiguousarray(_blob())
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(nib.Nifti1Image(data, AFFINE), level=2.0)
    expected = fig.screenshot()
    save_scene(fig, tmp_path / "c.bvscene")
    bv.close("all")
    np.testing.assert_array_equal(load_scene(tmp_path / "c.bvscene").screenshot(), expected)


# ------------------------------------------------------------ 6. raw crashes


def test_json_nested_100000_deep_is_a_scene_error(tmp_path):
    path = tmp_path / "deep.bvscene"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SceneFileError, match="nested"):
        load_scene(path)


def test_values_nested_deeper_than_a_scene_needs_are_a_scene_error(tmp_path):
    scene = _points_scene(tmp_path)
    value = 1.0
    for _ in range(200):
        value = {"$tuple": [value]}
    scene["layers"][0]["params"]["size"] = value
    with pytest.raises(SceneFileError, match="nested"):
        load_scene(_write(tmp_path / "deep.bvscene", scene))


@pytest.mark.parametrize("state, message", [
    ({"_actor": 1}, "'_actor' is not a setting"),
    ({"_params": {"$dict": []}}, "'_params' is not a setting"),
    ({"nonsense": 1}, "'nonsense' is not a setting"),
    ({"actor": 1}, "'actor' is not a setting"),
    ({"opacity": "opaque"}, "opacity"),
])
def test_scene_state_setting_private_or_unknown_attributes_is_refused(tmp_path, state, message):
    scene = _points_scene(tmp_path)
    scene["layers"][0]["state"] = state
    with pytest.raises(SceneFileError, match=message):
        load_scene(_write(tmp_path / "state.bvscene", scene))


def test_title_of_20000_characters_is_refused_not_an_abort(tmp_path):
    scene = _points_scene(tmp_path)
    scene["annotations"] = [{"kind": "title", "text": "W" * 20_000, "size": 500, "color": None}]
    with pytest.raises(SceneFileError, match="20000 characters"):
        load_scene(_write(tmp_path / "title.bvscene", scene))


def test_short_title_at_a_large_size_still_loads(tmp_path):
    scene = _points_scene(tmp_path)
    scene["annotations"] = [{"kind": "title", "text": "Motor", "size": 40, "color": None}]
    fig = load_scene(_write(tmp_path / "title.bvscene", scene))
    assert fig.annotation_specs()[0]["text"] == "Motor"


@pytest.mark.parametrize("key, value", [("position", [1e308, 0, 0]), ("focal_point", [0, 0, 2e6]),
                                        ("view_up", [0, -1e300, 1])])
def test_camera_at_absurd_distances_is_refused(tmp_path, key, value):
    scene = _points_scene(tmp_path)
    scene["camera"][key] = value
    with pytest.raises(SceneFileError, match="camera"):
        load_scene(_write(tmp_path / "camera.bvscene", scene))


@pytest.mark.parametrize("size", [[16384, 16384], [8193, 10], [0, 10], ["800", 600], [True, 600]])
def test_figure_size_out_of_range_is_refused(tmp_path, size):
    scene = _points_scene(tmp_path)
    scene["figure"]["size"] = size
    path = _write(tmp_path / "size.bvscene", scene)
    with pytest.raises(SceneFileError, match="figure"):
        load_scene(path)
    with pytest.raises(SceneFileError, match="figure"):
        SceneTemplate(path)


def test_template_of_16_mib_plus_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.bvscene"
    path.write_bytes(b" " * (16 * 2**20 + 10))
    with pytest.raises(SceneFileError, match="too large"):
        SceneTemplate(path)


# ------------------------------------------------------------ the command


def test_command_refuses_an_outside_reference_in_one_line_and_allow_outside_lists_it(tmp_path, capsys):
    data = tmp_path / "data" / "zmap.nii.gz"
    data.parent.mkdir()
    nib.save(nib.Nifti1Image(_blob(), AFFINE), data)
    path, _ = _contour_scene(tmp_path / "figures", data)
    out = tmp_path / "out.png"
    assert cli_main([str(path), "--screenshot", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--allow-outside" in err and not out.exists()
    assert cli_main([str(path), "--screenshot", str(out), "--allow-outside"]) == 0
    err = capsys.readouterr().err
    assert f"reads '{data.resolve()}', outside its folder" in err and out.is_file()


def test_command_prints_no_raw_escape_sequence_from_a_scene_name(tmp_path, capsys):
    path = tmp_path / "\x1b[2Jevil\x07.bvscene"
    path.write_text("{not json")
    assert cli_main([str(path), "--screenshot", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b[2Jevil\\x07" in err


def test_copy_of_a_scene_folder_with_its_data_moves_with_it(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    nib.save(nib.Nifti1Image(_blob(), AFFINE), folder / "blob.nii.gz")
    path, expected = _contour_scene(folder, folder / "blob.nii.gz")
    moved = Path(shutil.copytree(folder, tmp_path / "copy"))
    assert scene_references(moved / path.name) == [(moved / "blob.nii.gz").resolve()]
    assert scene_references(moved / path.name, outside_only=True) == []
    np.testing.assert_array_equal(load_scene(moved / path.name).screenshot(), expected)
