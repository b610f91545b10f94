"""Batch rendering: in-process, joblib processes and a dask LocalCluster give the same images;
per-item failures; output names; progress; the QC contact sheet; the batch command's engine."""

from __future__ import annotations

import json
import re

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview import pylab
from brainview.batch import BatchReport, ItemResult, ReplaceLayerData, batch_main, write_index
from brainview.errors import BrainviewTypeError, BrainviewValueError
from brainview.scene import LIVE_WINDOWS, windows_made

SIZE = (96, 72)
N_SUBJECTS = 8


def draw_subject(path):
    """What a user's QC function does: one map, one view."""
    bv.contour(path, level=0.5, color="orange")
    bv.view("left")


def read_png(path):
    from conftest import read_png as read

    return read(path)


@pytest.fixture(scope="module")
def subjects(tmp_path_factory):
    """8 synthetic subjects sub-XX/zmap.nii.gz: a ball whose radius and place vary."""
    root = tmp_path_factory.mktemp("subjects")
    rng = np.random.default_rng(13)
    ijk = np.indices((24, 24, 24)).reshape(3, -1).T
    paths = []
    for number in range(N_SUBJECTS):
        center = 12 + rng.uniform(-3, 3, size=3)
        radius = rng.uniform(4, 8)
        data = (np.linalg.norm(ijk - center, axis=1) < radius).reshape(24, 24, 24).astype(np.float32)
        folder = root / f"sub-{number:02d}"
        folder.mkdir()
        nib.save(nib.Nifti1Image(data, np.diag([2.0, 2.0, 2.0, 1.0])), folder / "zmap.nii.gz")
        paths.append(folder / "zmap.nii.gz")
    return paths


@pytest.fixture(scope="module")
def serial_images(subjects, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    report = bv.render_many(draw_subject, subjects, out / "{parent}.png", size=SIZE)
    assert report.ok, report.summary()
    return [read_png(path) for path in report.paths]


@pytest.fixture(scope="module")
def corrupt(subjects, tmp_path_factory):
    """The 8 subjects with the 4th replaced by a file that is not an image."""
    bad = tmp_path_factory.mktemp("corrupt") / "sub-03" / "zmap.nii.gz"
    bad.parent.mkdir()
    bad.write_bytes(b"\x1f\x8b not really gzip")
    return [*subjects[:3], bad, *subjects[4:]]


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


# ------------------------------------------------------------------ same images everywhere


def test_dask_without_a_client_says_how_to_start_one(tmp_path):
    distributed = pytest.importorskip("distributed")
    try:
        distributed.get_client()
        pytest.skip("a dask client is running")
    except ValueError:
        pass
    with pytest.raises(BrainviewValueError, match="none is running; start one first"):
        bv.render_many(draw_subject, ["a.nii"], tmp_path / "{stem}.png", backend="dask")


def test_serial_images_show_each_subject(serial_images):
    assert len(serial_images) == N_SUBJECTS
    assert all(image.shape == (SIZE[1], SIZE[0], 3) for image in serial_images)
    assert all((image.sum(axis=2) > 0).any() for image in serial_images)
    assert len({image.tobytes() for image in serial_images}) == N_SUBJECTS


def test_joblib_processes_give_equal_images_and_no_window_in_parent(subjects, serial_images, tmp_path):
    assert pylab.get_fignums() == [] and len(LIVE_WINDOWS) == 0
    made = windows_made()
    report = bv.render_many(draw_subject, subjects, tmp_path / "{parent}.png", size=SIZE, n_jobs=2)
    assert report.ok, report.summary()
    for path, expected in zip(report.paths, serial_images):
        np.testing.assert_array_equal(read_png(path), expected)
    assert pylab.get_fignums() == [] and len(LIVE_WINDOWS) == 0 and windows_made() == made


def test_dask_local_cluster_gives_equal_images(dask_client, subjects, serial_images, tmp_path):
    made = windows_made()
    report = bv.render_many(draw_subject, subjects, tmp_path / "{parent}.png", size=SIZE,
                            backend="dask")
    assert report.ok, report.summary()
    for path, expected in zip(report.paths, serial_images):
        np.testing.assert_array_equal(read_png(path), expected)
    assert pylab.get_fignums() == [] and len(LIVE_WINDOWS) == 0 and windows_made() == made


def test_dask_corrupt_subject_is_one_failure(dask_client, corrupt, tmp_path):
    report = bv.render_many(draw_subject, corrupt, tmp_path / "{parent}.png", size=SIZE,
                            backend="dask")
    assert [result.index for result in report.failed] == [3]
    assert len(report.paths) == 7 and all(path.exists() for path in report.paths)


def report_gl_threads(item):
    """Fails on purpose, with the software OpenGL thread count its worker set."""
    import os

    raise RuntimeError(os.environ.get("LP_NUM_THREADS", "unset"))


def test_joblib_workers_share_the_cores_between_their_gl_threads(tmp_path):
    import os

    expected = os.environ.get("LP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // 2)))
    report = bv.render_many(report_gl_threads, [0, 1], None, size=SIZE, n_jobs=2)
    assert {result.error for result in report.failed} == {f"RuntimeError: {expected}"}


def test_dask_workers_give_their_gl_threads_their_task_threads(dask_client, tmp_path):
    import os

    expected = os.environ.get("LP_NUM_THREADS", "1")  # the fixture's threads_per_worker=1
    report = bv.render_many(report_gl_threads, [0, 1], None, size=SIZE, backend="dask")
    assert {result.error for result in report.failed} == {f"RuntimeError: {expected}"}


def test_serial_run_leaves_the_gl_threads_alone(monkeypatch):
    monkeypatch.delenv("LP_NUM_THREADS", raising=False)
    report = bv.render_many(report_gl_threads, [0], None, size=SIZE)
    assert report.failed[0].error == "RuntimeError: unset"


def test_arrays_instead_of_files_equal_the_files(subjects, serial_images):
    report = bv.render_many(draw_subject, subjects[:2], None, size=SIZE)
    np.testing.assert_array_equal(report.images[0], serial_images[0])
    np.testing.assert_array_equal(report.images[1], serial_images[1])


# ------------------------------------------------------------------ failures, names, progress


def test_corrupt_subject_is_one_failure_and_seven_images(corrupt, tmp_path):
    report = bv.render_many(draw_subject, corrupt, tmp_path / "{parent}.png", size=SIZE)
    assert len(report.failed) == 1 and len(report.rendered) == 7
    failure = report.failed[0]
    assert failure.index == 3 and failure.label == "zmap.nii.gz"
    assert failure.error.startswith("ImageLoadError: img: ") and "corrupt or truncated" in failure.error
    assert "Traceback" in failure.traceback
    assert not (tmp_path / "sub-03.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"sub-{n:02d}.png" for n in range(8) if n != 3]
    assert "1 failed" in report.summary() and "zmap.nii.gz: ImageLoadError" in report.summary()


def test_progress_callback_is_called_once_per_item(subjects, tmp_path):
    calls = []
    bv.render_many(draw_subject, subjects, tmp_path / "{index}.png", size=SIZE,
                   callback=lambda done, total: calls.append((done, total)))
    assert calls == [(done, N_SUBJECTS) for done in range(1, N_SUBJECTS + 1)]


def test_progress_bar_counts_images(subjects, tmp_path, capsys):
    bv.render_many(draw_subject, subjects[:2], tmp_path / "{index}.png", size=SIZE, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_existing_files_are_kept_unless_overwrite(subjects, tmp_path):
    out = tmp_path / "deep" / "folder" / "{parent}_{stem}.png"
    first = bv.render_many(draw_subject, subjects[:2], out, size=SIZE)
    assert [p.name for p in first.paths] == ["sub-00_zmap.png", "sub-01_zmap.png"]
    mtime = first.paths[0].stat().st_mtime_ns
    again = bv.render_many(draw_subject, subjects[:2], out, size=SIZE)
    assert [r.status for r in again.results] == ["kept", "kept"]
    assert first.paths[0].stat().st_mtime_ns == mtime
    forced = bv.render_many(draw_subject, subjects[:2], out, size=SIZE, overwrite=True)
    assert [r.status for r in forced.results] == ["rendered", "rendered"]


def test_template_fields(tmp_path):
    image = nib.Nifti1Image(np.ones((2, 2, 2), np.float32), np.eye(4))
    items = [tmp_path / "a" / "run.nii.gz", str(tmp_path / "b" / "map.mgz"), image]
    report = bv.render_many(lambda item: None, items, tmp_path / "{index:02d}-{parent}-{stem}-{name}.png",
                            size=(8, 8))
    assert [p.name for p in report.paths] == [
        "00-a-run-run.nii.gz.png", "01-b-map-map.mgz.png", "02--item2-item2.png"]


def test_same_output_name_twice_is_refused_before_rendering(subjects, tmp_path):
    with pytest.raises(BrainviewValueError, match=r"out: items 0 and 1 would both .*add \{parent\}"):
        bv.render_many(draw_subject, subjects, tmp_path / "{stem}.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out, message", [
    ("qc/{subject}.png", r"unknown field \{subject\}"),
    ("qc/{stem}.tif", "must end in .png or .jpg"),
    (42, "expected a file name template"),
])
def test_bad_output_template(out, message):
    with pytest.raises((BrainviewValueError, BrainviewTypeError), match=message):
        bv.render_many(draw_subject, ["a.nii"], out)


@pytest.mark.parametrize("options, message", [
    (dict(backend="threads"), "backend: must be one of loky, dask"),
    (dict(n_jobs=0), "n_jobs: expected a positive number"),
    (dict(n_jobs=True), "n_jobs: expected a positive number"),
    (dict(callback="print"), "callback: expected callable"),
    (dict(size=(0, 10)), "size: width and height"),
    (dict(translucency="fast"), "translucency: must be one of blended, peeled"),
])
def test_bad_options_are_refused(options, message, tmp_path):
    with pytest.raises((BrainviewValueError, BrainviewTypeError), match=message):
        bv.render_many(draw_subject, ["a.nii"], tmp_path / "{stem}.png", **options)


def test_fn_must_be_callable(tmp_path):
    with pytest.raises(BrainviewTypeError, match="fn: expected a function"):
        bv.render_many("draw", ["a.nii"], tmp_path / "{stem}.png")


def test_serial_run_keeps_the_callers_figures(subjects, tmp_path):
    mine = bv.figure(size=(40, 30))
    other = bv.figure(size=(40, 30))
    bv.figure(pylab.get_fignums()[0])
    try:
        bv.render_many(draw_subject, subjects[:1], tmp_path / "{index}.png", size=SIZE)
        assert bv.gcf() is mine and not other.closed and len(pylab.get_fignums()) == 2
    finally:
        bv.close("all")


def test_item_that_opens_extra_figures_leaks_none(tmp_path):
    def two_figures(item):
        bv.points([[0, 0, 0]])
        bv.figure(size=(20, 20))
        bv.points([[1, 1, 1]])

    report = bv.render_many(two_figures, [1, 2], tmp_path / "{index}.png", size=(20, 20))
    assert report.ok and pylab.get_fignums() == [] and len(LIVE_WINDOWS) == 0


# ------------------------------------------------------------------ the contact sheet


def test_index_references_every_image_and_lists_failures(corrupt, tmp_path):
    report = bv.render_many(draw_subject, corrupt, tmp_path / "img" / "{parent}.png", size=SIZE)
    page = write_index(report, tmp_path / "index.html").read_text()
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == [f"img/sub-{n:02d}.png" for n in range(8) if n != 3]
    assert all((tmp_path / source).exists() for source in sources)
    assert page.count('data-failed="1">') == 1 and "ImageLoadError" in page
    assert '<select id="sort">' in page and "<script>" in page and "<style>" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "the page must open offline"


def test_index_escapes_names(tmp_path):
    report = BatchReport([ItemResult(0, "<b>.nii", tmp_path / "<b>.png", "rendered")])
    page = write_index(report, tmp_path / "index.html").read_text()
    assert "<b>.nii" not in page and "&lt;b&gt;.nii" in page


def test_write_index_needs_a_report(tmp_path):
    with pytest.raises(BrainviewTypeError, match="report: expected the BatchReport"):
        write_index([], tmp_path / "index.html")


# ------------------------------------------------------------------ templates and the command


def open_json_template(path):
    """A stand-in for the scene reader: a JSON 'scene' of one contour layer named zmap."""
    scene = json.loads(open(path).read())

    def build(replacements):
        bv.contour(replacements.get("zmap", scene["zmap"]), level=scene["level"], color=scene["color"])
        bv.view(scene["view"])

    return build


def test_replace_layer_data_keeps_the_template_settings(subjects, serial_images):
    template = {"zmap": None, "level": 0.5, "color": "orange", "view": "left"}

    def build(replacements):
        bv.contour(replacements["zmap"], level=template["level"], color=template["color"])
        bv.view(template["view"])

    report = bv.render_many(ReplaceLayerData(build, "zmap"), subjects[:2], None, size=SIZE)
    np.testing.assert_array_equal(report.images[0], serial_images[0])


def test_batch_command_writes_n_pngs_and_an_index(subjects, corrupt, tmp_path, capsys):
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"zmap": str(subjects[0]), "level": 0.5, "color": "orange",
                                    "view": "left"}))
    root = subjects[0].parent.parent
    out = tmp_path / "qc"
    code = batch_main([str(template), "--replace", f"zmap={root}/sub-*/zmap.nii.gz",
                       "--out", str(out), "--size", "96x72"], open_template=open_json_template)
    assert code == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == [f"sub-{n:02d}_zmap.png" for n in range(N_SUBJECTS)]
    page = (out / "index.html").read_text()
    assert sorted(re.findall(r'<img src="([^"]+)"', page)) == pngs
    assert "8 rendered" in capsys.readouterr().out


def test_batch_command_exits_non_zero_and_lists_failures(corrupt, tmp_path, capsys):
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"zmap": None, "level": 0.5, "color": "orange", "view": "left"}))
    code = batch_main([str(template), "--replace", f"zmap={corrupt[3]}", "--out", str(tmp_path / "qc")],
                      open_template=open_json_template)
    assert code == 1
    err = capsys.readouterr().err
    assert "1 failed" in err and "zmap.nii.gz (0): ImageLoadError" in err


@pytest.mark.parametrize("argv, message", [
    (["t.json", "--replace", "zmap"], "expected LAYER=GLOB"),
    (["t.json", "--replace", "zmap=/nonexistent/*.nii.gz"], "no file matches"),
])
def test_batch_command_bad_arguments(argv, message, capsys):
    assert batch_main(argv, open_template=open_json_template) == 2
    assert message in capsys.readouterr().err


def _scene_template(subjects, folder):
    """A real template scene: subject 0's map named zmap, a threshold, a colour, a view."""
    from brainview.export.scene_file import save_scene

    fig = bv.figure(size=SIZE, antialias=False)
    layer = bv.contour(str(subjects[0]), level=0.5, color="orange", name="zmap")
    layer.opacity = 0.9
    bv.view("left")
    expected = fig.screenshot()
    save_scene(fig, folder / "template.bvscene")
    bv.close("all")
    return folder / "template.bvscene", expected


def test_batch_command_renders_a_scene_template_for_each_file(subjects, tmp_path, capsys):
    template, expected = _scene_template(subjects, tmp_path)
    root = subjects[0].parent.parent
    code = batch_main([str(template), "--replace", f"zmap={root}/sub-*/zmap.nii.gz",
                       "--out", str(tmp_path / "qc"), "--translucency", "peeled"])
    assert code == 0, capsys.readouterr().err
    pngs = sorted((tmp_path / "qc").glob("*.png"))
    assert len(pngs) == N_SUBJECTS
    # Subject 0 is the template's own data: same camera, level, colour, opacity, size.
    np.testing.assert_array_equal(read_png(pngs[0]), expected)
    assert not np.array_equal(read_png(pngs[1]), expected)
    page = (tmp_path / "qc" / "index.html").read_text()
    assert sorted(re.findall(r'<img src="([^"]+)"', page)) == [p.name for p in pngs]


def test_batch_command_names_the_layers_when_the_replaced_one_is_unknown(subjects, tmp_path, capsys):
    template, _ = _scene_template(subjects, tmp_path)
    assert batch_main([str(template), "--replace", f"anat={subjects[0]}", "--out", str(tmp_path / "qc")]) == 2
    err = capsys.readouterr().err
    assert "no single layer named 'anat'" in err and "'zmap' (contour)" in err
    assert not (tmp_path / "qc").exists()


def test_batch_command_with_a_missing_template_says_so(subjects, capsys):
    assert batch_main(["missing.bvscene", "--replace", f"zmap={subjects[0]}"]) == 2
    assert "no such scene file" in capsys.readouterr().err


# ------------------------------------------------------------------ translucency


def draw_glass_subject(path):
    """A translucent map in front of a translucent one: where blending and peeling can differ."""
    bv.contour(path, level=0.5, color="orange", opacity=0.5)
    bv.points([[24.0, 24.0, 24.0]], size=30, color="white", opacity=0.4)
    bv.view("left")


def _savefig_images(paths, tmp_path):
    images = []
    for number, path in enumerate(paths):
        bv.figure(size=SIZE)
        draw_glass_subject(path)
        bv.savefig(tmp_path / f"{number}.png")
        bv.close()
        images.append(read_png(tmp_path / f"{number}.png"))
    return images


def test_peeled_batch_images_are_savefig_pixels(subjects, tmp_path):
    expected = _savefig_images(subjects[:2], tmp_path)
    report = bv.render_many(draw_glass_subject, subjects[:2], None, size=SIZE, translucency="peeled")
    for image, reference in zip(report.images, expected):
        np.testing.assert_array_equal(image, reference)


def test_blended_batch_images_stay_close_to_savefig_and_restore_peeling(subjects, tmp_path):
    expected = _savefig_images(subjects[:2], tmp_path)
    mine = bv.figure(size=SIZE)
    report = bv.render_many(draw_glass_subject, subjects[:2], None, size=SIZE)  # blended
    for image, reference in zip(report.images, expected):
        difference = np.abs(image.astype(int) - reference)
        # Measured: 1.2-1.6 grey levels on average, at most 29, on these overlapping sheets.
        assert difference.mean() < 3.0 and difference.max() < 60
    assert any(not np.array_equal(i, e) for i, e in zip(report.images, expected)), \
        "blending drew the very pixels of peeling: the option is not applied"
    assert bv.gcf() is mine and mine.renderer.GetUseDepthPeeling()
    bv.close(mine)


# ------------------------------------------------------------------ stand-in subjects


def test_subject_zmaps_are_the_motor_map_moved_and_noised_reproducibly(tmp_path):
    from brainview.datasets import load_motor_map
    from brainview.simulate import make_subject_zmaps

    paths = make_subject_zmaps(tmp_path / "a", n_subjects=3, random_state=4)
    again = make_subject_zmaps(tmp_path / "b", n_subjects=3, random_state=4)
    motor = load_motor_map()
    images = [nib.load(path) for path in paths]
    assert [path.relative_to(tmp_path / "a").as_posix() for path in paths] == \
        [f"sub-0{n}/zmap.nii.gz" for n in range(3)]
    assert all(image.shape == motor.shape and np.allclose(image.affine, motor.affine) for image in images)
    data = [np.asarray(image.dataobj) for image in images]
    assert not np.array_equal(data[0], data[1])
    np.testing.assert_array_equal(data[2], np.asarray(nib.load(again[2]).dataobj))
    # Moved by at most a voxel and noised by 0.3: still the motor map (measured r = 0.80).
    assert np.corrcoef(data[0].ravel(), np.asarray(motor.dataobj).ravel())[0, 1] > 0.7


@pytest.mark.parametrize("n_subjects", [0, -1, 2.5, True])
def test_subject_zmaps_need_a_positive_count(n_subjects, tmp_path):
    from brainview.simulate import make_subject_zmaps

    with pytest.raises(BrainviewValueError, match="n_subjects: expected a positive whole number"):
        make_subject_zmaps(tmp_path, n_subjects=n_subjects)
