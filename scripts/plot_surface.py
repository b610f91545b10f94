"""
A cortical surface with sulcal shading and a thresholded overlay
=================================================================

The left fsaverage5 inflated surface from nilearn, shaded by sulcal depth, with a
per-vertex overlay: here a smooth synthetic map peaking near the left motor
cortex (-40, -20, 55) mm. Values with ``|value| < threshold`` are not drawn.
"""

import numpy as np

import brainview as bv

surface = bv.datasets.fsaverage5_surface("pial", hemi="left")
distance = np.linalg.norm(surface.vertices - np.array([-40.0, -20.0, 55.0]), axis=1)
overlay = 6.0 * np.exp(-(distance / 18.0) ** 2)

bv.figure(size=(800, 600), bgcolor="white")
layer = bv.surface("fsaverage5", overlay, hemi="left", bg_map="sulc", inflated=True, cmap="hot",
                   clim=(1.0, 6.0), threshold=1.0)
bv.view("left")
bv.colorbar(layer, title="synthetic map")
bv.title("fsaverage5 (inflated), left hemisphere, lateral view", color="black")
bv.savefig("plot_surface.png")
