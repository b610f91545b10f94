"""brainview: 3-D neuroimaging visualisation, scripted like pylab, in world mm.

``import brainview`` is fast and loads neither VTK nor Qt: the scripting
functions, submodules and classes load on first use.

Examples
--------
>>> import brainview as bv
>>> callable(bv.contour)
True
"""

import importlib

from .errors import (
    BrainviewError,
    BrainviewTypeError,
    BrainviewValueError,
    BrainviewWarning,
    ImageLoadError,
    MemoryBudgetError,
)

from ._version import __version__

_PYLAB = (
    "figure", "gcf", "get_fignums", "clf", "close", "savefig", "screenshot",
    "movie", "view", "title", "text", "colorbar", "save_scene", "load_scene", "export_script", "export_html",
    "contour", "volume", "slices", "surface", "points",
    "stat_map", "glass_brain", "surface_montage", "grid",
    "atlas",
    "connectome",
)
_SUBMODULES = ("batch", "cache", "colors", "datasets", "export", "geometry", "io", "layers", "limits",
               "planes", "pylab", "scene")
# Batch rendering, the cache and the limits load without VTK: a parent process
# that only sends work to other processes never loads the renderer.
# ``show`` is the app's: the scripting layer (pylab) never imports the app.
_OBJECTS = {"Figure": "scene", "render_many": "batch", "write_index": "batch", "show": "gui.app",
            "set_cache": "cache", "clear_cache": "cache", "set_limits": "limits"}

__all__ = [*_PYLAB, *_SUBMODULES, *_OBJECTS, "BrainviewError", "BrainviewTypeError",
           "BrainviewValueError", "BrainviewWarning", "ImageLoadError", "MemoryBudgetError"]


def __getattr__(name):
    if name in _PYLAB:
        return getattr(importlib.import_module(".pylab", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _OBJECTS:
        return getattr(importlib.import_module(f".{_OBJECTS[name]}", __name__), name)
    if not name.startswith("_") and name in importlib.import_module(".layers.registry", __name__).KINDS:
        return getattr(importlib.import_module(".pylab", __name__), name)  # a kind's verb
    raise AttributeError(f"module 'brainview' has no attribute {name!r}")


def _get_sg_image_scraper():
    """The sphinx-gallery image scraper, found by ``image_scrapers=("brainview",)``.

    Examples
    --------
    >>> import brainview
    >>> callable(brainview._get_sg_image_scraper())
    True
    """
    from .integrations.scraper import scrape_figures

    return scrape_figures


def __dir__():
    return sorted(set(globals()) | set(__all__))
