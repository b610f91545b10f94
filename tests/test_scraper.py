"""The sphinx-gallery scraper: a minimal Sphinx project embeds an example's figures and movie."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("PIL")

CONF = """
extensions = ["sphinx_gallery.gen_gallery"]
project = "scraper test"
exclude_patterns = ["_build"]
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "image_scrapers": ("brainview",),
    "abort_on_example_error": True,
    "download_all_examples": False,
}
"""

EXAMPLE = '''
"""
Two balls
=========

A pylab figure, a figure of the object API, a GIF and an MP4 movie.
"""

import brainview as bv
from brainview.layers import Points
from brainview.scene import Figure

bv.figure(size=(80, 60))
bv.points([[0, 0, 0], [30, 0, 0]], size=12, color="orange")
bv.movie("spin.gif", orbit=360, n_frames=4, fps=20, progress=False)
bv.movie("spin.mp4", orbit=360, n_frames=4, fps=24, progress=False)
other = Figure(size=(80, 60))
_ = other.add(Points([[0, 0, 0]], size=12, color="cyan"))

# %%
# After the block above, the scraper saved and closed every figure.
import brainview.scene

print("open figures:", bv.get_fignums(), len(brainview.scene.LIVE_WINDOWS), other.closed)
'''


def test_sphinx_gallery_embeds_every_figure_and_movie_and_closes_them(tmp_path):
    source = tmp_path / "src"
    (source / "examples").mkdir(parents=True)
    (source / "conf.py").write_text(CONF)
    (source / "index.rst").write_text("Gallery\n=======\n\n.. toctree::\n\n   auto_examples/index\n")
    (source / "examples" / "README.txt").write_text("Examples\n========\n")
    (source / "examples" / "plot_balls.py").write_text(textwrap.dedent(EXAMPLE))
    root = str(Path(__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(source), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    images = tmp_path / "html" / "_images"
    names = sorted(p.name for p in images.iterdir() if not p.stem.endswith("_thumb"))
    assert names == ["sphx_glr_plot_balls_001.png", "sphx_glr_plot_balls_002.png",
                     "sphx_glr_plot_balls_003.gif"], names
    page = (tmp_path / "html" / "auto_examples" / "plot_balls.html").read_text()
    for name in names:
        assert f"_images/{name}" in page
    assert page.count('<source type="video/mp4" src="data:video/mp4;base64,') == 1
    assert "open figures: [] 0 True" in page
