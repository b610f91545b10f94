"""
mlab's quiver3d: arrows swirling about an axis, scaled and coloured by magnitude
=================================================================================

A port of Mayavi's ``test_quiver3d`` example (``mlab.quiver3d(x, y, z, u, v, w,
line_width=3, scale_factor=1)``): a 5 x 5 x 5 grid of arrows turning about
the z axis, their length and colour given by each vector's magnitude, with a
colour bar. mlab takes six arrays; ``bv.quiver`` takes the positions and the
vectors as two ``(n, 3)`` arrays (or one ``(n, 6)`` table). The second
figure shows the same field as cones, the glyph of Mayavi's ``mode="cone"``.
"""

import numpy as np

import brainview as bv

x, y, z = np.mgrid[-2:3, -2:3, -2:3]
r = np.sqrt(x ** 2 + y ** 2 + z ** 4)
u = y * np.sin(r) / (r + 0.001)
v = -x * np.sin(r) / (r + 0.001)
w = np.zeros_like(z, dtype=float)

positions = np.column_stack([x.ravel(), y.ravel(), z.ravel()]).astype(float)
vectors = np.column_stack([u.ravel(), v.ravel(), w.ravel()])

bv.figure(size=(800, 600), bgcolor="white")
arrows = bv.quiver(positions, vectors, scale_factor=1, cmap="turbo", name="|v|")
bv.colorbar(arrows)
bv.view(azimuth=45, elevation=55)
bv.title("mlab.quiver3d ported: bv.quiver(positions, vectors, scale_factor=1)", color="black")
bv.savefig("plot_mlab_quiver.png")

# %%
# The same vectors as cones, one colour, every glyph the same length
# (``scale_mode="none"``, mlab's meaning).
bv.figure(size=(800, 600), bgcolor="white")
bv.quiver(positions, vectors, mode="cone", scale_mode="none", scale_factor=0.6, color="steelblue")
bv.view(azimuth=45, elevation=55)
bv.savefig("plot_mlab_quiver_cones.png")
