"""
Streamlines: direction colours, bundles with a legend, and a slab near a slice
==============================================================================

nibabel ships a tiny tractogram (``standard.trk``: 120 streamlines of 3
points), read here as any ``.trk``/``.tck`` is, in RAS+ mm. It is too small to
look like anything, so the pictures use three synthetic bundles in MNI space
(a corpus callosum fan, both corticospinal tracts and a left arcuate
fasciculus), 3,000 streamlines made with a fixed seed:

1. every streamline coloured by its local direction (red left-right, green
   front-back, blue up-down) over the MNI template's axial slice;
2. the same streamlines as bundles (a dict of tractograms: one colour each and
   a legend), only the parts within 4 mm of the slices' planes (``slab=`` with
   ``near=`` the Slices layer: they follow the planes when these move).
"""

import os

import nibabel as nib
import numpy as np

import brainview as bv

trk = os.path.join(os.path.dirname(nib.__file__), "tests", "data", "standard.trk")
tiny = bv.layers.Streamlines(trk)
print(f"standard.trk: {tiny.n_streamlines} streamlines, {len(tiny.streamline_points)} points")

rng = np.random.default_rng(0)
s = np.linspace(0.0, 1.0, 60)[:, None]


def bundle(curve, n, spread):
    """``n`` streamlines along ``curve(s)``, each shifted by a smooth random offset (mm)."""
    base = curve(s)
    shifts = rng.normal(scale=spread, size=(n, 1, 3)) * (0.6 + 0.4 * np.sin(np.pi * s))[None]
    return list(base[None] + shifts)


def callosum(s):
    x = 100 * s - 50
    return np.hstack([x, -5 + 0 * s, 18 + 30 * (x / 50) ** 2])


def cst(side):
    return lambda s: np.hstack([side * (8 + 24 * s), -22 + 6 * s, -40 + 105 * s])


def arcuate(s):
    y = 20 * s - 5 - 35 * np.sin(np.pi * s)
    return np.hstack([-42 + 0 * s, y, -15 + 40 * s + 5 * np.sin(np.pi * s)])


bundles = {"corpus callosum": bundle(callosum, 1200, (2, 14, 3)),
           "CST left": bundle(cst(-1), 600, (3, 3, 2)),
           "CST right": bundle(cst(1), 600, (3, 3, 2)),
           "arcuate left": bundle(arcuate, 600, (3, 3, 3))}
every = [line for lines in bundles.values() for line in lines]

bv.figure(size=(700, 600))
mni = bv.datasets.load_mni152(resolution=2)
bv.slices(mni, coords=(0, 0, -20), axes="z")
bv.streamlines(every, line_width=1.5)
bv.view(azimuth=120, elevation=60, distance=380)
bv.savefig("plot_streamlines.png")

bv.figure(size=(700, 600))
anatomy = bv.slices(mni, coords=(0, -20, 20), axes="yz")
tracts = bv.streamlines(bundles, radius=0.6, slab=4.0, near=anatomy)
bv.view(azimuth=120, elevation=60, distance=330)
bv.savefig("plot_streamlines_bundles.png")
print(f"{tracts.n_streamlines} streamlines; {tracts.n_drawn} pieces within 4 mm of the slices")
