"""
mlab's ``mesh``: the Boy surface (the Mayavi logo)
===================================================

A port of Mayavi's ``boy.py`` example: the Boy surface, a parametric surface
sampled on a grid of its two parameters, drawn with ``bv.mesh`` exactly as
``mlab.mesh(X, Y, Z, scalars=S, colormap="YlGnBu")`` draws it: the grid is
joined into two triangles per cell, coloured by ``S = sin(u)``, seen from the
front (``mlab.view(0, -5, 4)``) on a white background.
"""

import os

from numpy import cos, mgrid, pi, sin, sqrt

import brainview as bv

# The example's grid step is 0.01 (318 x 318 points); the test suite runs a coarser grid.
step = 0.04 if os.environ.get("BRAINVIEW_EXAMPLE_QUICK") else 0.01
u, v = mgrid[-0.035:pi:step, -0.035:pi:step]

X = 2 / 3.0 * (cos(u) * cos(2 * v) + sqrt(2) * sin(u) * cos(v)) * cos(u) / (sqrt(2) - sin(2 * u) * sin(3 * v))
Y = 2 / 3.0 * (cos(u) * sin(2 * v) - sqrt(2) * sin(u) * sin(v)) * cos(u) / (sqrt(2) - sin(2 * u) * sin(3 * v))
Z = -sqrt(2) * cos(u) * cos(u) / (sqrt(2) - sin(2 * u) * sin(3 * v))
S = sin(u)

bv.figure(size=(600, 600), bgcolor="white")
boy = bv.mesh(X, Y, Z, scalars=S, cmap="YlGnBu", name="Boy surface")
bv.view(azimuth=0, elevation=-5, distance=4)  # mlab.view(.0, -5.0, 4): the nice view from the front
bv.savefig("plot_mlab_mesh.png")
