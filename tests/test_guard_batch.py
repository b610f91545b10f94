"""Batches survive their items, QC pages carry no script, names reach the terminal printable (issue 23)."""

import json
import os
import signal
import sys
import time
import urllib.parse
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from conftest import LinkParser

import brainview as bv
from brainview.batch import BatchReport, ItemResult, batch_main, find_files, printable, write_index
from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.export.scene_file import save_scene

from test_api import AFFINE, _blob

SIZE = (32, 24)


@pytest.fixture(autouse=True)
def _close_all():
    yield
    bv.close("all")


def hostile_item(item):
    """Draws a dot, unless the item says to hurt the process running it."""
    if item == "abort":
        os.abort()
    if item == "exit":
        sys.exit(3)
    if item == "hang":
        time.sleep(3600)
    if item == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if item == "raise":
        raise RuntimeError("bad item")
    bv.points([[0, 0, 0]], size=5, color="red")


GOOD = ["a", "b", "c"]


def _items(bad):
    return ["a", bad, "b", "c"]


def test_item_calling_sys_exit_in_process_is_its_own_failure_and_the_batch_goes_on():
    report = bv.render_many(hostile_item, ["a", "exit", "b"], None, size=SIZE, isolate=False)
    assert [r.status for r in report.results] == ["rendered", "failed", "rendered"]
    assert report.failed[0].error.startswith("SystemExit")


@pytest.mark.parametrize("bad, options, message", [
    ("abort", dict(isolate=True), "signal SIGABRT"),
    ("abort", dict(), "signal SIGABRT"),  # n_jobs=1 by default: an abort used to end the caller
    ("kill", dict(n_jobs=2), "signal SIGKILL"),
    ("exit", dict(n_jobs=2), "SystemExit"),
    ("hang", dict(timeout=8), "timeout=8"),
])
def test_item_that_kills_exits_or_hangs_its_worker_is_its_own_failure_and_loses_no_image(bad, options, message):
    items = [f"item{i}" if item != bad else bad for i, item in enumerate(_items(bad))]
    report = bv.render_many(hostile_item, items, None, size=SIZE, **options)
    statuses = [r.status for r in report.results]
    assert statuses == ["rendered", "failed", "rendered", "rendered"], report.summary()
    assert message in report.failed[0].error and report.failed[0].index == 1
    assert all(r.image.shape == (24, 32, 3) for r in report.rendered)


def test_isolated_items_save_the_same_files_as_in_process_items(tmp_path):
    serial = bv.render_many(hostile_item, GOOD, tmp_path / "s_{index}.png", size=SIZE, isolate=False)
    isolated = bv.render_many(hostile_item, GOOD, tmp_path / "i_{index}.png", size=SIZE, isolate=True)
    for one, other in zip(serial.paths, isolated.paths):
        assert one.read_bytes() == other.read_bytes()


@pytest.mark.parametrize("options, error, message", [
    (dict(timeout=0), BrainviewValueError, "timeout: expected a positive number"),
    (dict(timeout=float("nan")), BrainviewValueError, "timeout: expected a positive number"),
    (dict(timeout="5"), BrainviewValueError, "timeout: expected a positive number"),
    (dict(isolate="yes"), BrainviewTypeError, "isolate: expected True, False or None"),
    (dict(isolate=False, n_jobs=2), BrainviewValueError, "isolate: False needs n_jobs=1"),
    (dict(size=(16384, 16384)), BrainviewValueError, "1..8192 pixels"),
])
def test_bad_isolation_and_size_options_are_refused_before_anything_runs(options, error, message):
    with pytest.raises(error, match=message):
        bv.render_many(hostile_item, GOOD, None, **{"size": SIZE, **options})


# ------------------------------------------------------------ the QC page


HOSTILE_NAMES = [
    "javascript:alert(1)%2F%2F.nii.gz",
    'x"><script>alert(1)</script>.nii.gz',
    "it's <b>bold</b> & 'quoted'.nii.gz",
    "line\nbreak.nii.gz",
    "\x1b[31mred\x1b[0m.nii.gz",
    "data:text,html.nii.gz",
    "//evil.example/x.nii.gz",
]


def _hostile_report(tmp_path):
    results = []
    for index, name in enumerate(HOSTILE_NAMES):
        image = tmp_path / "qc" / name.replace("/", "_").replace(".nii.gz", ".png")
        results.append(ItemResult(index, name, image, "rendered"))
    results.append(ItemResult(len(results), "<img src=x onerror=alert(1)>", None, "failed",
                              error="ValueError: <script>alert(2)</script>\x1b[2J"))
    return BatchReport(results)


def test_qc_page_links_are_relative_percent_encoded_paths_and_names_are_text(tmp_path):
    report = _hostile_report(tmp_path)
    page = write_index(report, tmp_path / "qc" / "index.html", title="<script>alert(3)</script>")
    text = page.read_text()
    parser = LinkParser()
    parser.feed(text)
    assert parser.scripts == 1  # the page's own sorting script, nothing injected
    assert len(parser.links) == 2 * len(HOSTILE_NAMES)
    for link, result in zip(parser.links[::2], report.rendered):
        parts = urllib.parse.urlsplit(link)
        assert parts.scheme == "" and parts.netloc == "" and not link.startswith("/")
        assert urllib.parse.unquote(link) == result.path.name
    assert "\x1b" not in text and "<script>alert" not in text and "onerror=alert" not in text.replace(
        "&lt;img src=x onerror=alert(1)&gt;", "")


def test_batch_command_prints_no_raw_escape_sequences_or_forged_lines(tmp_path, capsys):
    folder = tmp_path / "subjects"
    folder.mkdir()
    for name in ["\x1b[2Jsub-01.nii.gz", "sub-02\nFAKE: all good.nii.gz"]:
        (folder / name).write_bytes(b"not an image")
    fig = bv.figure(size=SIZE, antialias=False)
    bv.points(np.zeros((1, 3)), name="dots")
    save_scene(fig, tmp_path / "t.bvscene")
    bv.close("all")
    code = batch_main([str(tmp_path / "t.bvscene"), "--replace", f"dots={folder}/*.nii.gz",
                       "--out", str(tmp_path / "qc")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "\x1b" not in out + err
    assert not any(line.startswith("FAKE") for line in (out + err).splitlines())
    assert "\\x1b[2Jsub-01.nii.gz" in err and "sub-02\\nFAKE" in err


def test_printable_shows_control_characters_as_codes():
    assert printable("a\x1b[31mb\tc\u202ed") == "a\\x1b[31mb\\tc\\u202ed"
    assert printable("sub-01 é") == "sub-01 é"


# ------------------------------------------------------------ globs and templates


def test_glob_through_symlink_loops_finishes_with_each_file_once(tmp_path):
    for subject in ("sub-01", "sub-02"):
        (tmp_path / subject).mkdir()
        (tmp_path / subject / "zmap.nii.gz").write_bytes(b"")
    os.symlink(".", tmp_path / "a")
    os.symlink(".", tmp_path / "b")
    os.symlink("..", tmp_path / "sub-01" / "up")
    found = find_files(f"{tmp_path}/**/zmap.nii.gz")
    assert sorted(Path(p).parent.name for p in found) == ["sub-01", "sub-02"]
    assert find_files(f"{tmp_path}/sub-*/zmap.nii.gz") == found


def _template_with_an_outside_layer(tmp_path):
    data = tmp_path / "shared" / "atlas.nii.gz"
    data.parent.mkdir()
    nib.save(nib.Nifti1Image(_blob(), AFFINE), data)
    fig = bv.figure(size=SIZE, antialias=False)
    bv.contour(str(data), level=2.0, name="outline")
    bv.contour(nib.Nifti1Image(_blob(), AFFINE), level=3.0, name="dots")
    (tmp_path / "templates").mkdir()
    save_scene(fig, tmp_path / "templates" / "t.bvscene")
    bv.close("all")
    nib.save(nib.Nifti1Image(_blob(), AFFINE), tmp_path / "dots.nii.gz")
    return tmp_path / "templates" / "t.bvscene"


def test_batch_template_reading_outside_its_folder_is_refused_unless_allowed(tmp_path, capsys):
    template = _template_with_an_outside_layer(tmp_path)
    argv = [str(template), "--replace", f"dots={tmp_path}/dots.nii.gz", "--out", str(tmp_path / "qc")]
    assert batch_main(argv) == 2
    err = capsys.readouterr().err
    assert "outside the scene's folder" in err and "--allow-outside" in err
    assert batch_main([*argv, "--allow-outside"]) == 0
    assert (tmp_path / "qc" / "dots.png").is_file()


@pytest.mark.parametrize("size", ["16384x16384", "9000x10", "10x8193"])
def test_batch_size_out_of_range_is_a_one_line_error(tmp_path, capsys, size):
    fig = bv.figure(size=SIZE, antialias=False)
    bv.points(np.zeros((1, 3)), name="dots")
    save_scene(fig, tmp_path / "t.bvscene")
    bv.close("all")
    np.save(tmp_path / "dots.npy", np.zeros((1, 3)))
    code = batch_main([str(tmp_path / "t.bvscene"), "--replace", f"dots={tmp_path}/dots.npy",
                       "--out", str(tmp_path / "qc"), "--size", size])
    assert code == 2 and "1..8192 pixels" in capsys.readouterr().err


def test_batch_template_nested_100000_deep_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "deep.bvscene").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "x.npy").write_bytes(b"")
    code = batch_main([str(tmp_path / "deep.bvscene"), "--replace", f"dots={tmp_path}/x.npy"])
    err = capsys.readouterr().err
    assert code == 2 and "nested" in err and "Traceback" not in err and err.count("\n") == 1


def test_batch_command_timeout_records_the_hanging_item(tmp_path, capsys):
    (tmp_path / "scene.json").write_text(json.dumps({}))

    def open_template(path):
        def build(replacements):
            hostile_item("hang" if "hang" in str(replacements["dots"]) else "ok")
        return build

    for name in ("ok.npy", "hang.npy"):
        (tmp_path / name).write_bytes(b"")
    code = batch_main([str(tmp_path / "scene.json"), "--replace", f"dots={tmp_path}/*.npy",
                       "--out", str(tmp_path / "qc"), "--timeout", "8", "--size", "32x24"],
                      open_template=open_template)
    err = capsys.readouterr().err
    assert code == 1 and "hang.npy" in err and "timeout=8" in err
    assert (tmp_path / "qc" / "ok.png").is_file()


def test_item_calling_os_abort_with_the_default_n_jobs_1_no_longer_kills_the_caller():
    """Issue 23: with n_jobs=1 an item's os.abort ended the caller's process; now it is one failure."""
    report = bv.render_many(hostile_item, ["a", "abort", "b"], None, size=SIZE)
    assert [r.status for r in report.results] == ["rendered", "failed", "rendered"]
    assert "SIGABRT" in report.failed[0].error
