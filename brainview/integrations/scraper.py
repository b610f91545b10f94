"""The sphinx-gallery image scraper: every open brainview figure (and movie) of an example.

In a Sphinx project's ``conf.py``::

    sphinx_gallery_conf = {
        "examples_dirs": "examples",
        "gallery_dirs": "auto_examples",
        "image_scrapers": ("brainview",),   # or ("matplotlib", "brainview")
    }

After each code block, the scraper saves every open figure — those of
``bv.figure()`` and any :class:`~brainview.scene.Figure` held by a variable of
the example — as a PNG, embeds the GIF and MP4 movies the block wrote, and
closes the figures. (sphinx-gallery finds it through
``brainview._get_sg_image_scraper``.)

Examples
--------
>>> import brainview
>>> brainview._get_sg_image_scraper() is scrape_figures
True
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from ..export.movie import MOVIES_WRITTEN
from ..scene import Figure


def open_figures(namespace=None):
    """Open figures: the pylab ones by number, then those in ``namespace`` (each once).

    Examples
    --------
    >>> import brainview as bv
    >>> bv.close("all")
    >>> fig = bv.figure(size=(20, 20))
    >>> open_figures() == [fig]
    True
    >>> bv.close("all")
    """
    from .. import pylab

    figures = [figure for _, figure in sorted(pylab.get_figures().items())]
    for value in (namespace or {}).values():
        if isinstance(value, Figure) and not value.closed and all(value is not f for f in figures):
            figures.append(value)
    return figures


def scrape_figures(block, block_vars, gallery_conf):
    """sphinx-gallery scraper: save and close the open figures, embed new movies.

    Parameters
    ----------
    block : tuple
        The code block just run (not used: every open figure is saved).
    block_vars : dict
        sphinx-gallery's; ``image_path_iterator`` gives the image file names,
        ``example_globals`` the example's variables.
    gallery_conf : dict
        sphinx-gallery's configuration (``src_dir`` makes paths relative).

    Returns
    -------
    str
        The reStructuredText embedding the images (empty when none).
    """
    from sphinx_gallery.scrapers import figure_rst

    from .. import pylab

    image_paths = []
    for fig in open_figures(block_vars.get("example_globals")):
        path = Path(next(block_vars["image_path_iterator"]))
        fig.savefig(path)
        image_paths.append(str(path))
    videos = []
    while MOVIES_WRITTEN:
        movie = MOVIES_WRITTEN.popleft()
        if not movie.exists():
            continue
        if movie.suffix.lower() == ".gif":
            # Copied beside the images, so that Sphinx ships it with the page.
            target = Path(next(block_vars["image_path_iterator"])).with_suffix(".gif")
            shutil.copyfile(movie, target)
            image_paths.append(str(target))
        else:
            videos.append(movie)
    for fig in open_figures(block_vars.get("example_globals")):
        fig.close()
    pylab.close("all")
    rst = figure_rst(image_paths, gallery_conf["src_dir"]) if image_paths else ""
    return rst + "".join(_video_rst(video) for video in videos)


def _video_rst(path):
    """A raw-HTML ``<video>`` with the MP4 inside (a page needs no extra file)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        "\n\n.. raw:: html\n\n"
        f'    <video controls loop muted playsinline style="max-width: 100%" '
        f'title="{Path(path).name}"><source type="video/mp4" '
        f'src="data:video/mp4;base64,{data}"></video>\n\n'
    )
