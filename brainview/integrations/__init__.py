"""brainview inside other tools: the sphinx-gallery image scraper.

These are clients of the scripting layer (they read :mod:`brainview.pylab`'s
open figures), so they sit above it and never below :mod:`brainview.export`.
"""
