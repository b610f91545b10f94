"""
Anatomy: an isosurface and movable slices of the MNI152 template
==================================================================

The 1 mm ICBM152 template shipped with nilearn, drawn as a translucent
isosurface with three orthogonal planes at mm coordinates. Moving a plane is
setting a trait: ``slices.z = 30`` re-cuts the volume at z = 30 mm.
"""

import brainview as bv

anatomy = bv.datasets.load_mni152(resolution=1)

bv.figure(size=(800, 600), bgcolor="black")
bv.contour(anatomy, level=0.35, color="wheat", opacity=0.3)
slices = bv.slices(anatomy, coords=(0, -20, 10), cmap="gray", clim=(0.05, 1.0),
                   transparent_below=True)
slices.z = 30  # live: the axial plane moves to z = 30 mm
bv.view(azimuth=135, elevation=60, distance=420, focalpoint=(0, -18, 12))
bv.title("MNI152 template, planes at x=0, y=-20, z=30 mm")
bv.savefig("plot_anatomy.png")
