"""
Mayavi's ``contour3d`` example: four contour levels, translucent
================================================================

A port of Mayavi's ``test_contour3d`` (``mlab.contour3d(scalars, contours=4,
transparent=True)``) on the ellipsoidal field ``0.5 x² + y² + 2 z²``.

- ``levels=4`` is mlab's ``contours=4``: four levels evenly spaced from the
  field's minimum to its maximum, both included (the first is a point at the
  centre, the last touches the corners of the box), so two nested shells show,
  cut open by the box, as in Mayavi.
- ``transparent=True`` is a colour map with alpha: mlab's default
  ``"blue-red"`` map (hue from blue to red) with alpha ramping from 0.2 to 0.8,
  over the middle 80% of the data range. The alpha channel of an (n, 4) RGBA
  table (or of a matplotlib Colormap) is honoured by every kind.
"""

import colorsys

import numpy as np

import brainview as bv

# The grid of np.ogrid[-5:5:64j, -5:5:64j, -5:5:64j], in mm through an affine.
n = 64
x, y, z = np.ogrid[-5:5:64j, -5:5:64j, -5:5:64j]
scalars = x * x * 0.5 + y * y + z * z * 2.0
step = 10.0 / (n - 1)
affine = np.diag([step, step, step, 1.0])
affine[:3, 3] = -5.0

# mlab's "blue-red" table with transparent=True: alpha 0.2 -> 0.8, range mean +- 40%.
hues = np.linspace(2 / 3, 0.0, 256)
blue_red = np.array([(*colorsys.hsv_to_rgb(h, 1.0, 1.0), a) for h, a in zip(hues, np.linspace(0.2, 0.8, 256))])
low, high = float(scalars.min()), float(scalars.max())
middle, half = (low + high) / 2, 0.4 * (high - low)

bv.figure(size=(600, 500), bgcolor=(0.5, 0.5, 0.5))
layer = bv.contour((scalars, affine), levels=4, cmap=blue_red, clim=(middle - half, middle + half),
                   name="0.5 x² + y² + 2 z²")
bv.colorbar(layer, title="level")
bv.view(azimuth=45, elevation=60)
bv.title(f"levels=4: {', '.join(f'{v:.3g}' for v in layer.level_values)}")
bv.savefig("plot_mlab_contour3d.png")
