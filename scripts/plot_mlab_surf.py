"""
mlab's ``surf``: a height field over a regular grid
====================================================

A port of the example of Mayavi's ``mlab.surf`` documentation
(``test_surf``): the elevation ``sin(x + y) + sin(2x - y) + cos(3x + 4y)``
over a 141 x 201 grid, raised with mlab's default ``warp_scale=1`` and
coloured by elevation with Mayavi's default "blue-red" map (a hue ramp from
blue to red at full saturation, made here as a matplotlib colormap).

``z[i, j]`` is the height at ``(x[i], y[j])``, as in mlab; with
``warp_scale="auto"`` (brainview's default) the relief would be scaled to
0.3 times the sum of the grid's x and y extents.
"""

import os

import numpy as np
from matplotlib.colors import ListedColormap, hsv_to_rgb

import brainview as bv

# Mayavi's default lookup table "blue-red": hue 0.667 (blue) to 0 (red), saturation and value 1.
hues = np.linspace(2 / 3, 0, 256)
blue_red = ListedColormap(hsv_to_rgb(np.column_stack([hues, np.ones(256), np.ones(256)])), name="blue-red")


def f(x, y):
    return np.sin(x + y) + np.sin(2 * x - y) + np.cos(3 * x + 4 * y)


# The documentation's grid (0.1 x 0.05 steps); the test suite runs a coarser one.
step = 4 if os.environ.get("BRAINVIEW_EXAMPLE_QUICK") else 1
x, y = np.mgrid[-7.0:7.05:0.1 * step, -5.0:5.05:0.05 * step]

bv.figure(size=(600, 500), bgcolor="black")
relief = bv.surf(f(x, y), x=x, y=y, warp_scale=1, cmap=blue_red, name="f(x, y)")
bv.colorbar(relief)
bv.view(azimuth=45, elevation=60)
bv.savefig("plot_mlab_surf.png")
