"""Getting figures out of brainview: movies, and the sphinx-gallery image scraper.

The submodules load their optional dependencies (imageio-ffmpeg, Pillow,
tqdm, sphinx-gallery) only when used; ``pip install 'brainview[movie]'``
installs those of :mod:`brainview.export.movie`.

Examples
--------
>>> from brainview.export import movie
>>> callable(movie.write_movie)
True
"""
