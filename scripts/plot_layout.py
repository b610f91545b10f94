"""One figure, four panels: a z-map from three sides and in three cuts
=====================================================================

The motor-task z-map nilearn ships, thresholded at |z| > 3.1, in one image of
four panels (``views=``): the glass brain seen from the left, from above and
from the right (the same layers, drawn once, in three renderers with their
own cameras), and nilearn's ortho cuts through the peak, sampled by the
app's 2-D plane sampler over the MNI template, with L/R letters. One colour
bar, at the right of the whole image, reads for every panel.
"""

import brainview as bv
from brainview.datasets import load_motor_map

fig = bv.figure(size=(1600, 500), bgcolor="black",
                views=["left", "superior", "right", "cuts:ortho"],
                titles=["left", "superior", "right", "ortho cuts"])
layer = bv.stat_map(load_motor_map(), threshold=3.1)
bv.colorbar(layer, title="z")
bv.savefig("plot_layout.png")
print("panels", fig.panel_rects())
