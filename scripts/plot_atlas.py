"""
An atlas coloured by network, a subset highlighted
==================================================

The demo atlas (MNI grey matter split among the 300 Seitzman 2018 ROIs, built
offline from nilearn's data) drawn as one mesh: every region coloured by its
network. Then the Default Mode and Visual regions are selected by name
(substring) and drawn opaque inside a glass brain. ``label_at`` names the
region under any mm coordinate.
"""

import brainview as bv

atlas = bv.datasets.load_demo_atlas()

bv.figure(size=(800, 600), bgcolor="white")
bv.glass_brain()
regions = bv.atlas(atlas, regions=["DefaultMode", "Visual"])
first = regions.shown[0]
centre = regions.centroids()[first]
print(f"{len(regions.shown)} regions shown; {first} is centred at {tuple(round(c) for c in centre)} mm, "
      f"where label_at finds {regions.label_at(centre)!r}")
bv.view("left")
bv.title("Demo atlas: Default Mode (red) and Visual (blue) regions", color="black")
bv.savefig("plot_atlas.png")
