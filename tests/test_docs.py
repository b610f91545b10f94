"""The Sphinx site builds (API reference, one gallery example through brainview's scraper).

A smoke test of the docs build and of the sphinx-gallery scraper: one example
only (``BRAINVIEW_DOCS_EXAMPLES``), so that it stays a few seconds. ``make docs``
builds the whole site.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import brainview

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("sphinx_gallery", reason="sphinx-gallery (brainview[docs]) is not installed")
pytest.importorskip("numpydoc", reason="numpydoc (brainview[docs]) is not installed")


@pytest.mark.skipif(not hasattr(brainview, "_get_sg_image_scraper"),
                    reason="brainview._get_sg_image_scraper (the gallery scraper) is not merged yet")
def test_docs_build_with_one_gallery_example(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["BRAINVIEW_DOCS_EXAMPLES"] = r"/plot_points\.py$"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    source = tmp_path / "docs"
    # A copy of the sources: generated pages and gallery output stay out of the tree.
    subprocess.run(["cp", "-r", str(ROOT / "docs"), str(source)], check=True)
    (source / "conf.py").write_text(
        (ROOT / "docs" / "conf.py").read_text().replace(
            "ROOT = Path(__file__).resolve().parents[1]", f"ROOT = Path({str(ROOT)!r})"))
    gallery_copy = tmp_path / "scripts"
    gallery_copy.mkdir()
    for path in [ROOT / "scripts" / "README.rst", ROOT / "scripts" / "plot_points.py"]:
        (gallery_copy / path.name).write_text(path.read_text())
    conf = (source / "conf.py").read_text().replace(
        '"examples_dirs": str(ROOT / "scripts")', f'"examples_dirs": {str(gallery_copy)!r}')
    (source / "conf.py").write_text(conf)
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q",
         # The API tables without their per-object pages: the smoke test stays short.
         "-D", "autosummary_generate=0", str(source), str(tmp_path / "html")],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "html" / "auto_examples" / "plot_points.html").read_text()
    assert "sphx_glr_plot_points_001.png" in page
    assert (tmp_path / "html" / "_images" / "sphx_glr_plot_points_001.png").stat().st_size > 10_000
    api = (tmp_path / "html" / "api.html").read_text()
    assert "export_html" in api and "Connectome" in api
