"""A motor-task z-map in a glass brain and on the cortical surface
=================================================================

The real motor z-map nilearn ships (NeuroVault image 10426, 3 mm, stored in
LAS orientation: brainview places it by its affine, so left stays left) is
shown twice:

1. isosurfaces at z = +3.1 and z = -3.1 inside a translucent glass brain,
   seen from above (anterior up, the subject's right on the image's right):
   the activation is in the right motor cortex near (32, -24, 58), with
   left-hemisphere motor deactivation;
2. projected on both fsaverage5 hemispheres (nilearn's ``vol_to_surf``),
   in a montage of four views: left lateral, left medial (top row), right
   lateral, right medial (bottom row).

The two images are stacked into ``plot_motor_map.png``.
"""

import numpy as np

import brainview as bv
from brainview.datasets import load_motor_map
from brainview.montage import write_image

zmap = load_motor_map()

fig = bv.figure(size=(800, 600), bgcolor="white")
layer = bv.stat_map(zmap, threshold=3.1)
bv.colorbar(layer, title="z")
bv.title("Motor task, |z| > 3.1")
bv.view("superior")
glass = fig.screenshot()

montage = bv.surface_montage(zmap, threshold=3.1, panel_size=(400, 300))
both = np.vstack([glass, montage])
print("peak z", float(np.max(np.asarray(zmap.dataobj))), "image", both.shape)
write_image(both, "plot_motor_map.png")
