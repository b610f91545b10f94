"""
A connectome learnt from generated time series, coloured by network
====================================================================

Time series are generated for the 300 Seitzman 2018 ROIs with a known
structure (regions of one network share a latent signal; fixed seed). nilearn's
``ConnectivityMeasure`` estimates a correlation matrix and a sparse inverse
covariance (graphical lasso on 48 regions of 6 networks, to stay fast). The strongest edges are
drawn as one mesh, nodes as one glyph set coloured by network with a legend,
inside a glass brain.
"""

import numpy as np
from nilearn.connectome import ConnectivityMeasure
from sklearn.covariance import GraphicalLasso

import brainview as bv
from brainview.simulate import make_network_timeseries

rois = bv.datasets.load_seitzman_2018()
series = make_network_timeseries(rois["networks"], n_timepoints=240, coupling=0.5, random_state=42)
correlation = ConnectivityMeasure(kind="correlation").fit_transform([series])[0]

networks = np.asarray(rois["networks"])
within = networks[:, None] == networks[None, :]
assigned = networks != "unassigned"
pairs = within & assigned[:, None] & ~np.eye(len(networks), dtype=bool)
print(f"mean correlation within networks {correlation[pairs].mean():.2f}, "
      f"between {correlation[~within].mean():.2f}")

# Sparse inverse covariance (graphical lasso) on 8 regions of each of the 6 largest networks.
largest = sorted(set(networks) - {"unassigned"}, key=lambda n: -(networks == n).sum())[:6]
subset = np.concatenate([np.flatnonzero(networks == n)[:8] for n in largest])
sparse = ConnectivityMeasure(cov_estimator=GraphicalLasso(alpha=0.2, max_iter=200, tol=1e-3), kind="precision",
                             standardize="zscore_sample")
precision = sparse.fit_transform([series[:, subset]])[0]
off_diagonal = ~np.eye(len(subset), dtype=bool)
nonzero = np.abs(precision) > 1e-6
same = networks[subset][:, None] == networks[subset][None, :]
print(f"sparse precision on {len(subset)} regions: {nonzero[off_diagonal].mean():.1%} of pairs non-zero; "
      f"{nonzero[off_diagonal & same].mean():.0%} within networks, {nonzero[~same].mean():.0%} between")

bv.figure(size=(800, 600), bgcolor="white")
bv.glass_brain()
graph = bv.connectome(correlation, rois["coords"], edge_threshold="99%", node_size="degree",
                      node_color=rois["networks"], edge_cmap="RdBu_r")
bv.view("superior")
bv.title("Correlation connectome, top 1% of edges", color="black")
bv.savefig("plot_connectome.png")
print(f"{graph.n_edges_drawn} edges drawn at |r| >= {graph.threshold:.2f}")
