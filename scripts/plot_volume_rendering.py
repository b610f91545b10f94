"""
Volume rendering of a real z-map: compositing and maximum intensity projection
==============================================================================

The motor-task z-map from NeuroVault (image 10426) is stored LAS, 3 mm:
brainview places it with its affine, so the right-hemisphere motor cortex
appears on the right in a view from above. Values below ``clim[0]`` are
transparent; opacity ramps up to ``clim[1]``. The second panel uses maximum
intensity projection (``blending="mip"``).
"""

import numpy as np

import brainview as bv
from brainview.montage import write_image

zmap = bv.datasets.load_motor_map()
brain = bv.datasets.load_mni152(resolution=2)

panels = []
for blending in ("composite", "mip"):
    bv.figure(size=(500, 500), bgcolor="black")
    bv.contour(brain, level=0.35, color="white", opacity=0.15)
    # A moderate opacity blends through the 3 mm voxel terraces of the blob surfaces.
    v = bv.volume(zmap, cmap="hot", clim=(3, 8), opacity=0.4, blending=blending)
    bv.view("superior")
    bv.title(f"blending='{blending}'", size=18)
    bv.colorbar(v, title="z")
    panels.append(bv.screenshot())  # both figures stay open: the gallery shows them

# The two panels side by side in one PNG.
write_image(np.hstack(panels), "plot_volume_rendering.png")
