"""brainview inside other tools: Jupyter (inline images, the interactive view) and the
sphinx-gallery image scraper.

The scraper is a client of the scripting layer (it reads :mod:`brainview.pylab`'s
open figures), so it sits above it and never below :mod:`brainview.export`.
:mod:`brainview.integrations.jupyter` reads one figure; the figure's Jupyter
hooks (``_repr_png_``, ``_repr_mimebundle_``, ``interactive``) call it.
"""
