"""Figures that carry their recipe: PNG and TIFF files reopen as the same, editable figure (issue 21)."""

import os
import shutil
import subprocess
import sys
import warnings

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import brainview as bv
from brainview.errors import BrainviewError, BrainviewWarning, SceneFileError
from brainview.export import recipe
from brainview.layers.registry import KINDS


def _no_display_env():
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}


def _blob_file(folder):
    ijk = np.indices((20, 20, 20)).reshape(3, -1).T
    data = np.exp(-np.sum((ijk - 10.0) ** 2, axis=1) / 20.0).reshape(20, 20, 20).astype(np.float32) * 6
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = -30
    path = folder / "zmap.nii.gz"
    nib.save(nib.Nifti1Image(data, affine), path)
    return path


def _figure(folder):
    fig = bv.figure(size=(160, 120), bgcolor="white")
    bv.contour(str(_blob_file(folder)), level=3.0, color="red", name="blob")
    bv.points([[0, 0, 40], [30, 0, 0]], size=8, color="blue")  # in-memory data: embedded
    bv.view("anterior")
    bv.title("recipe", size=12, color="black")
    return fig


_REOPEN = r"""
import sys, numpy as np, brainview as bv
for source, target in zip(sys.argv[1::2], sys.argv[2::2]):
    fig = bv.load_scene(source)
    np.save(target, fig.screenshot())
    print([layer.kind for layer in fig.layers])
    fig.close()
"""


def test_png_tiff_svg_and_pdf_reopen_as_the_same_figure_in_a_fresh_process(tmp_path):
    fig = _figure(tmp_path)
    expected = fig.screenshot()
    fig.savefig(tmp_path / "fig.png")
    fig.savefig(tmp_path / "fig.tiff")
    fig.savefig(tmp_path / "fig.svg")
    fig.savefig(tmp_path / "fig.pdf")
    bv.close("all")
    names = [name for suffix in ("png", "tiff", "svg", "pdf") for name in (f"fig.{suffix}", f"{suffix}.npy")]
    argv = [str(tmp_path / name) for name in names]
    result = subprocess.run([sys.executable, "-c", _REOPEN, *argv], env=_no_display_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("['contour', 'points']") == 4
    for name in ("png.npy", "tiff.npy", "svg.npy", "pdf.npy"):
        np.testing.assert_array_equal(np.load(tmp_path / name), expected)


def test_a_reopened_figure_is_editable_and_names_the_file_it_reads(tmp_path):
    fig = _figure(tmp_path)
    fig.savefig(tmp_path / "fig.png")
    bv.close("all")
    again = bv.load_scene(tmp_path / "fig.png")
    try:
        blob = again.layers[0]
        assert str(blob.get_params()["img"]).endswith("zmap.nii.gz")
        blob.level = 4.5  # live
        assert again.screenshot().shape == (120, 160, 3)
    finally:
        again.close()


def test_moved_or_changed_data_is_named_and_plain_images_say_what_to_open(tmp_path):
    fig = _figure(tmp_path)
    fig.savefig(tmp_path / "fig.png")
    fig.savefig(tmp_path / "plain.png", embed_scene=False)
    bv.close("all")
    with pytest.raises(SceneFileError, match="carries no brainview scene"):
        bv.load_scene(tmp_path / "plain.png")
    shutil.move(tmp_path / "zmap.nii.gz", tmp_path / "moved.nii.gz")
    with pytest.raises(SceneFileError, match="zmap.nii.gz"):
        bv.load_scene(tmp_path / "fig.png")
    _blob_file(tmp_path)
    with open(tmp_path / "zmap.nii.gz", "ab") as stream:
        stream.write(b"changed")
    with pytest.raises(SceneFileError, match="zmap.nii.gz"):
        bv.load_scene(tmp_path / "fig.png")


def test_every_kind_embeds_its_scene_in_a_png(tmp_path):
    for kind in sorted(KINDS):
        fig = bv.figure(size=(48, 40))
        fig.add(KINDS[kind].make_example())
        fig.savefig(tmp_path / f"{kind}.png")
        assert recipe.has_embedded_scene(tmp_path / f"{kind}.png"), kind
        bv.close("all")
        again = bv.load_scene(tmp_path / f"{kind}.png")
        assert [layer.kind for layer in again.layers] == [kind]
        again.close()


def test_data_beyond_the_image_budget_is_left_out_with_a_warning_and_named_on_load(tmp_path, monkeypatch):
    monkeypatch.setattr(recipe, "MAX_EMBEDDED_DATA", 16)
    fig = bv.figure(size=(40, 40))
    bv.points(np.random.default_rng(0).uniform(-50, 50, size=(2000, 3)), size=3)
    with pytest.warns(BrainviewWarning, match="without the in-memory data"):
        fig.savefig(tmp_path / "big.png")
    bv.close("all")
    with pytest.raises(SceneFileError, match="does not carry the in-memory data"):
        bv.load_scene(tmp_path / "big.png")


def test_dpi_is_recorded_and_tiff_alpha_is_unassociated(tmp_path):
    fig = bv.figure(size=(60, 40), bgcolor="black")
    bv.points([[0, 0, 0]], size=30, color="red", opacity=0.5)
    fig.savefig(tmp_path / "a.png", dpi=300)
    fig.savefig(tmp_path / "b.tiff", scale=2, transparent=True)
    straight = fig.screenshot(scale=2, transparent=True)
    with pytest.raises(BrainviewError, match="give one of them"):
        fig.savefig(tmp_path / "c.png", scale=2, dpi=300)
    bv.close("all")
    with Image.open(tmp_path / "a.png") as png:
        assert png.size == (180, 120) and png.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    with Image.open(tmp_path / "b.tiff") as tiff:
        assert tiff.info["dpi"] == (200.0, 200.0) and tiff.tag_v2[338] == (2,)  # unassociated alpha
        stored = np.asarray(tiff)
    np.testing.assert_array_equal(stored, straight)  # straight colours, as ExtraSamples=2 declares
    assert ((stored[:, :, 3] > 0) & (stored[:, :, 3] < 255)).any()  # the half-transparent sphere


def test_corrupt_or_bomb_chunks_are_scene_file_errors(tmp_path):
    import struct
    import zlib

    from brainview.render.writers import encode_png

    bomb = encode_png(np.zeros((2, 2, 3), np.uint8),
                      texts={recipe.SCENE_KEY: "{" + " " * (64 * 2**20) + "}"})
    (tmp_path / "bomb.png").write_bytes(bomb)
    with pytest.raises(SceneFileError, match="larger than"):
        bv.load_scene(tmp_path / "bomb.png")
    good = encode_png(np.zeros((2, 2, 3), np.uint8), texts={recipe.SCENE_KEY: '{"format": 1}'})
    (tmp_path / "truncated.png").write_bytes(good[:60])
    with pytest.raises(SceneFileError):
        bv.load_scene(tmp_path / "truncated.png")
    (tmp_path / "notscene.png").write_bytes(good)
    with pytest.raises(SceneFileError, match="not a brainview scene"):
        bv.load_scene(tmp_path / "notscene.png")
    body = recipe.SCENE_KEY.encode() + b"\0\1\0\0\0" + b"not zlib"
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    (tmp_path / "badzlib.png").write_bytes(good[:33] + chunk + good[33:])
    with pytest.raises(SceneFileError, match="corrupt"):
        bv.load_scene(tmp_path / "badzlib.png")


@pytest.fixture(scope="module")
def saved_png(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    fig = bv.figure(size=(32, 32))
    bv.points([[0, 0, 0], [9, 0, 0]], size=4)
    fig.savefig(folder / "fig.png")
    bv.close("all")
    return (folder / "fig.png").read_bytes()


@settings(max_examples=int(os.environ.get("BRAINVIEW_FUZZ_EXAMPLES", 40)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_pngs_raise_only_brainview_errors(saved_png, tmp_path_factory, data):
    raw = bytearray(saved_png)
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path_factory.mktemp("case") / "fig.png"
    path.write_bytes(bytes(raw[:data.draw(st.integers(8, len(raw)))]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BrainviewWarning)
        try:
            bv.load_scene(path).close()
        except BrainviewError:
            pass


def test_png_whose_scene_chunk_says_uncompressed_is_a_scene_file_error_not_a_unicode_error(saved_png, tmp_path):
    raw = bytearray(saved_png)
    at = raw.index(b"brainview:scene\0") + len("brainview:scene\0")
    assert raw[at] == 1  # the compression flag of the iTXt chunk
    raw[at] = 0  # the zlib bytes are now read as UTF-8 text
    (tmp_path / "fig.png").write_bytes(bytes(raw))
    with pytest.raises(SceneFileError, match="not UTF-8 text"):
        bv.load_scene(tmp_path / "fig.png")


def test_a_decoders_group_of_maps_round_trips_through_its_png(tmp_path):
    """plot_decoder_weights: one layer per class, each built from a placed image (io.Image)."""
    data = np.zeros((10, 10, 10), np.float32)
    data[3:6, 3:6, 3:6] = 5
    affine = np.diag([4.0, 4.0, 4.0, 1.0])
    affine[:3, 3] = -20
    fig = bv.figure(size=(60, 50))
    bv.stat_map({"a": nib.Nifti1Image(data, affine), "b": nib.Nifti1Image(-data, affine)}, threshold=1, bg=None)
    expected = fig.screenshot()
    with warnings.catch_warnings():
        warnings.simplefilter("error", BrainviewWarning)
        fig.savefig(tmp_path / "group.png")
    bv.close("all")
    again = bv.load_scene(tmp_path / "group.png")
    try:
        assert [layer.kind for layer in again.layers] == ["stat_map", "stat_map"]
        np.testing.assert_array_equal(again.screenshot(), expected)
    finally:
        again.close()


def test_a_scene_that_cannot_be_written_still_saves_the_picture_with_a_warning(tmp_path, monkeypatch):
    from brainview.errors import BrainviewTypeError
    from brainview.export import scene_writer

    def refuse(figure, *, sidecar):
        raise BrainviewTypeError("layer0_img: <object> cannot be saved in a scene file")

    monkeypatch.setattr(scene_writer, "scene_dict", refuse)
    fig = bv.figure(size=(40, 30))
    bv.points([[0, 0, 0]], size=5)
    with pytest.warns(BrainviewWarning, match="saved without its scene: layer0_img"):
        fig.savefig(tmp_path / "plain.png")
    bv.close("all")
    assert (tmp_path / "plain.png").exists() and not recipe.has_embedded_scene(tmp_path / "plain.png")
