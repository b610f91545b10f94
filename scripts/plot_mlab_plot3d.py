"""
mlab's plot3d, ported: a torus knot as a tube coloured along its length
=======================================================================

Mayavi's ``test_plot3d`` draws a (6, 11) torus knot with
``mlab.plot3d(x, y, z, np.sin(mu), tube_radius=0.025, colormap="Spectral")``.
``bv.lines`` is the same call with the coordinates as one ``(n, 3)`` array:
``scalars`` colour the points through ``cmap``, ``tube_radius`` draws a
closed tube (leave it out for lines), and a list of arrays would be many
lines in one polydata.
"""

import numpy as np

import brainview as bv

n_mer, n_long = 6, 11
dphi = np.pi / 1000.0
phi = np.arange(0.0, 2 * np.pi + 0.5 * dphi, dphi)
mu = phi * n_mer
x = np.cos(mu) * (1 + np.cos(n_long * mu / n_mer) * 0.5)
y = np.sin(mu) * (1 + np.cos(n_long * mu / n_mer) * 0.5)
z = np.sin(n_long * mu / n_mer) * 0.5

bv.figure(size=(600, 500), bgcolor="white")
knot = bv.lines(np.column_stack([x, y, z]), scalars=np.sin(mu), tube_radius=0.025, cmap="Spectral")

bv.view(azimuth=45, elevation=35)
bv.savefig("plot_mlab_plot3d.png")
print(f"knot: {knot.n_lines} line of {knot.n_points} points, colour range {knot.clim}")
