"""Every gallery example in scripts/ runs with no display and writes a non-blank PNG."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import read_png

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
EXAMPLES = sorted(SCRIPTS.glob("plot_*.py"))


def _no_display_env():
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environment["BRAINVIEW_EXAMPLE_QUICK"] = "1"  # plot_brain_mining: 4 mm, shorter series
    return environment


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_saves_its_figure(script, tmp_path):
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=_no_display_env(),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    image = tmp_path / f"{script.stem}.png"
    assert image.exists(), f"{script.name} must save {image.name}"
    pixels = read_png(image)
    assert pixels.std() > 5, f"{image.name} is blank"


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


def test_demo_writes_the_requested_png(tmp_path):
    output = tmp_path / "demo.png"
    result = subprocess.run(
        [sys.executable, "-m", "brainview.demo", "--output", str(output), "--no-window",
         "--size", "400", "300"],
        cwd=tmp_path, env=_no_display_env(), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(output) in result.stdout
    pixels = read_png(output)
    assert pixels.shape == (300, 400, 3) and pixels.std() > 5
