"""Sphinx configuration of brainview's documentation (``make docs``; builds offline).

The API reference comes from the numpydoc docstrings; the gallery runs
``scripts/plot_*.py`` with sphinx-gallery and brainview's own image scraper.
``BRAINVIEW_DOCS_EXAMPLES`` (a regular expression on example paths) limits
the gallery, e.g. to one example in the CI smoke test.
"""

import os
import re
import sys
from pathlib import Path

from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")

import brainview  # noqa: E402

project = "brainview"
author = "the brainview developers"
release = version = brainview.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "alabaster"
html_static_path = []
# No intersphinx or remote assets: the build and the pages work offline.
html_theme_options = {"description": "3-D neuroimaging visualisation in world mm"}

# Each example writes its PNG with bv.savefig; the brainview scraper also saves
# every figure still open after each block (helper i12media's
# brainview._get_sg_image_scraper). Without it the gallery runs without images.
_SCRAPERS = ("brainview",) if hasattr(brainview, "_get_sg_image_scraper") else ()

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "scripts"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": os.environ.get("BRAINVIEW_DOCS_EXAMPLES", r"/plot_"),
    "ignore_pattern": r"benchmark|__init__\.py",
    "image_scrapers": _SCRAPERS,
    "reset_modules": (),
    "download_all_examples": False,
    "plot_gallery": "True",
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

#: Written into the output folder at the very end of a build that made every
#: page; ``make docs`` removes it first and fails without it. An example that
#: raises SystemExit ends Sphinx with status 0 and no pages (issue 23).
BUILD_COMPLETE = ".brainview-build-complete"


def expected_pages(conf):
    """Pages a full build writes: the index and one per gallery example the patterns select."""
    pattern, ignore = re.compile(conf["filename_pattern"]), re.compile(conf["ignore_pattern"])
    examples = sorted(p for p in Path(conf["examples_dirs"]).glob("*.py")
                      if pattern.search(str(p)) and not ignore.search(str(p)))
    return ["index.html"] + [f"{conf['gallery_dirs']}/{p.stem}.html" for p in examples]


def check_pages(app, exception):
    """``build-finished``: refuse a build missing a page, else write :data:`BUILD_COMPLETE`."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    missing = [page for page in expected_pages(sphinx_gallery_conf) if not (outdir / page).is_file()]
    if missing:
        raise ExtensionError(f"the build wrote no {', '.join(missing)} in {outdir}.")
    (outdir / BUILD_COMPLETE).write_text("every page was written\n")


def setup(app):
    app.connect("build-finished", check_pages)
