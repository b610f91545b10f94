"""Getting figures out of brainview and back: scene files, scripts, HTML, movies, the gallery scraper.

They read the models (layers' parameters, the figure's camera and
annotations) and the figure's drawing, and never change them. Optional
dependencies (trame-vtk, imageio-ffmpeg, Pillow, tqdm, sphinx-gallery) load
only when used: ``pip install 'brainview[movie]'`` or ``'brainview[html]'``.

Examples
--------
>>> from brainview.export import movie
>>> callable(movie.write_movie)
True
"""

from ._encoding import c_ordered_image

__all__ = ["c_ordered_image"]
