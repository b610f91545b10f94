"""brainview.testing: image regression for users' own tests (issue 21)."""

import numpy as np
import pytest

from brainview.layers import Points
from brainview.scene import Figure
from brainview.testing import assert_figure_equal, read_png

pytest_plugins = ["pytester"]


@pytest.fixture
def rendered(tmp_path):
    figure = Figure(size=(120, 100), antialias=False)
    figure.add(Points([[0, 0, 0], [30, 10, 0]], size=[20, 12], color=["red", "white"]))
    figure.view("superior")
    pixels = figure.screenshot()
    figure.close()
    return pixels


def test_assert_figure_equal_passes_on_itself_and_fails_on_a_one_pixel_shift_with_a_diff_image(rendered, tmp_path):
    baseline = tmp_path / "scene.png"
    assert_figure_equal(rendered, baseline, update=True)
    assert_figure_equal(rendered, baseline)
    assert_figure_equal(baseline, baseline)  # a PNG path is an image too
    with pytest.raises(AssertionError, match="RMS") as failure:
        assert_figure_equal(np.roll(rendered, 1, axis=1), baseline, output_dir=tmp_path / "out")
    assert "scene-diff.png" in str(failure.value)
    diff = read_png(tmp_path / "out" / "scene-diff.png")
    assert diff.any() and not diff.all()  # the shifted edges only
    np.testing.assert_array_equal(read_png(tmp_path / "out" / "scene-actual.png"), np.roll(rendered, 1, axis=1))


def test_missing_baseline_fails_with_how_to_make_it_and_other_sizes_fail(rendered, tmp_path):
    with pytest.raises(AssertionError, match="--brainview-update-baselines"):
        assert_figure_equal(rendered, tmp_path / "missing.png")
    assert not (tmp_path / "missing.png").exists()
    assert_figure_equal(rendered, tmp_path / "small.png", update=True)
    with pytest.raises(AssertionError, match="size 60x100"):
        assert_figure_equal(rendered[:, :60], tmp_path / "small.png")
    with pytest.raises(TypeError, match="actual"):
        assert_figure_equal([1, 2], tmp_path / "small.png")


def test_the_pytest_fixture_creates_missing_baselines_on_request_then_compares_with_them(pytester):
    pytester.makepyfile(test_user="""
        from brainview.scene import Figure
        from brainview.layers import Points

        def test_blob(figure_regression):
            fig = Figure(size=(60, 50), antialias=False)
            fig.add(Points([[0, 0, 0]], size=20))
            figure_regression(fig, "blob")
            fig.close()
    """)
    pytester.runpytest("-p", "no:randomly", "--brainview-update-baselines").assert_outcomes(passed=1)
    assert (pytester.path / "baseline" / "blob.png").exists()
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
