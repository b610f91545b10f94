"""
Select red balls: a pick callback, ported from Mayavi's example
===============================================================

Mayavi's ``select_red_balls.py``: red and white balls are scattered at random;
clicking a red ball selects it (an outline appears around it), clicking a white
one or the background does nothing. In brainview the whole interaction is one
callback given to ``fig.on_pick``: the app's 3-D view, the notebook widget
(``fig.widget()``) and scripted clicks (``fig.click``) all call it with the same
pick record, which names the layer and the ball (``result.item``).

Here the clicks are scripted so the gallery can show the result: the first
click lands on a red ball, the second on a white one.
"""

import numpy as np

import brainview as bv

rng = np.random.default_rng(1)
centres = rng.uniform(-60, 60, size=(20, 3))
red = rng.random(20) < 0.4

fig = bv.figure(size=(600, 500), bgcolor="white")
balls = bv.points(centres, size=14, color=[(0.9, 0.1, 0.1) if r else (0.95, 0.95, 0.95) for r in red],
                  name="balls")
selection = bv.points(centres[:1], size=22, color="gold", opacity=0.35, name="selection")
selection.visible = False
bv.view(azimuth=60, elevation=60)


@fig.on_pick
def select_red_ball(result):
    """Move the outline onto a red ball when one is clicked; ignore everything else."""
    if result.layer is balls and red[result.item]:
        selection.coords = centres[[result.item]]
        selection.visible = True
        print(f"selected red ball {result.item} at {np.round(centres[result.item], 1)} mm")


first_red, first_white = np.flatnonzero(red)[0], np.flatnonzero(~red)[0]
fig.click(fig.pixel_of(centres[first_red]))    # selects it
fig.click(fig.pixel_of(centres[first_white]))  # a white ball: nothing changes
bv.title("Click a red ball to select it", color="black")
bv.savefig("plot_mlab_select_red_balls.png")
