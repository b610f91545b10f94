"""
Points at MNI coordinates: the Seitzman 2018 ROIs coloured by network
=====================================================================

300 regions of interest (Seitzman et al., 2018, shipped with nilearn) drawn
as one glyph set inside a translucent brain. Each network gets a colour from a
qualitative colormap.
"""

import matplotlib

import brainview as bv

rois = bv.datasets.load_seitzman_2018()
networks = sorted(set(rois["networks"]))
palette = matplotlib.colormaps["tab20"]
colors = [palette(networks.index(n) % 20)[:3] for n in rois["networks"]]

bv.figure(size=(800, 600), bgcolor="black")
bv.contour(bv.datasets.load_mni152(resolution=2), level=0.35, color="white", opacity=0.15)
bv.points(rois["coords"], size=7, color=colors, name="Seitzman ROIs")
bv.view(azimuth=160, elevation=70)
bv.title(f"{len(rois['coords'])} Seitzman 2018 ROIs, {len(networks)} networks")
bv.savefig("plot_points.png")
