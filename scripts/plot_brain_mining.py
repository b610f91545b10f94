"""
Brain mining: regions learnt from resting-state data, and the graph between them
================================================================================

brainview generates resting-state-like data on the 2 mm MNI grid (fixed
seed): six networks planted at their usual MNI peaks (default mode: medial
prefrontal, posterior cingulate and both angular gyri; visual; bilateral
sensorimotor and auditory; salience; dorsal attention), whose time series
have known partial correlations, plus white noise. nilearn's ``CanICA``
learns one component per network; ``bv.atlas`` draws each component as a
coloured region (sign-aware, without noise specks); ``NiftiMapsMasker``
extracts one signal per component, ``GraphicalLassoCV`` gives a sparse
partial-correlation matrix, and ``bv.connectome(..., atlas=maps)`` puts a
node inside each component's main cluster. The script checks that every
planted network is recovered by its own component and that the graph's edges
are the planted couplings, with their signs.

``DictLearning(n_components=6, mask=mask_img, n_epochs=1, random_state=0)``
is the drop-in alternative (its ``components_img_`` goes into ``bv.atlas`` the
same way): at 2 mm it fits in about the same time as ``CanICA`` and recovers
the networks as well; at 4 mm its default ``alpha=10`` empties every
component and ``alpha=1`` is needed. ``dtype="float32"`` halves CanICA's
memory traffic on these 2 x 150 volumes.

Set ``BRAINVIEW_EXAMPLE_QUICK=1`` for a 4 mm run (the test suite's).
"""

import os
import time

import numpy as np
from nilearn.connectome import ConnectivityMeasure
from nilearn.decomposition import CanICA
from nilearn.maskers import NiftiMapsMasker, NiftiMasker
from sklearn.covariance import GraphicalLassoCV

import brainview as bv
from brainview.montage import tile, write_image
from brainview.simulate import make_resting_state_dataset

QUICK = os.environ.get("BRAINVIEW_EXAMPLE_QUICK") == "1"
#: A planted network counts as recovered by a component whose spatial |r| with it exceeds this.
MIN_SPATIAL_R = 0.5
start = time.perf_counter()

# Two subjects of 150 volumes with six planted networks.
data = make_resting_state_dataset(n_subjects=2, n_timepoints=150, resolution=4 if QUICK else 2,
                                  rng=0)
names = data["network_names"]
mask_img = data["mask_img"]

# Group ICA, one component per planted network.
canica = CanICA(n_components=len(names), mask=mask_img, dtype="float32", n_init=3, random_state=0,
                n_jobs=1)
canica.fit(data["imgs"])
components_img = canica.components_img_

# Every planted network must be recovered by its own component.
truth = NiftiMasker(mask_img=mask_img, standardize=None).fit().transform(data["networks_img"])
spatial_r = np.abs(np.corrcoef(canica.components_, truth)[:len(names), len(names):])
match = spatial_r.argmax(axis=0)  # the component of each network
print(f"{'planted network':<18} component  spatial |r|")
for network, component in enumerate(match):
    print(f"{names[network]:<18} {component + 1:>9}  {spatial_r[component, network]:11.2f}")
recovered = spatial_r[match, range(len(names))]
assert len(set(match)) == len(names) and (recovered > MIN_SPATIAL_R).all(), (
    f"planted networks not recovered one to one with |r| > {MIN_SPATIAL_R}: {recovered.round(2)}")

# A sparse partial-correlation graph between the components' signals.
network_of = np.argsort(match)  # the network of each component
component_names = [names[network] for network in network_of]
signals = NiftiMapsMasker(components_img, mask_img=mask_img,
                          standardize="zscore_sample").fit_transform(data["imgs"][0])
measure = ConnectivityMeasure(cov_estimator=GraphicalLassoCV(), kind="partial correlation")
partial = measure.fit_transform([signals])[0]

# The edges found are the planted couplings, with their signs, and every other
# partial correlation is less than half the weakest of them.
planted = data["network_partial_correlation"][np.ix_(network_of, network_of)]
upper = np.triu_indices(len(names), 1)
print(f"\n{'edge':<36} planted  estimated")
for i, j in zip(*upper):
    if planted[i, j] or abs(partial[i, j]) > 0.02:
        print(f"{component_names[i] + ' - ' + component_names[j]:<36} {planted[i, j]:7.2f}  "
              f"{partial[i, j]:9.2f}")
is_planted = planted[upper] != 0
assert (np.sign(partial[upper][is_planted]) == np.sign(planted[upper][is_planted])).all(), (
    "a planted coupling was estimated with the wrong sign")
assert np.abs(partial[upper][is_planted]).min() > 2 * np.abs(partial[upper][~is_planted]).max(), (
    "the partial-correlation graph does not single out the planted couplings")

# One figure, two views: components as see-through regions (colours that are
# not the edges' red and blue), the graph's nodes and tubes inside them.
bv.figure(size=(600, 500), bgcolor="white")
bv.glass_brain(opacity=0.08, color="gray")
network_colors = dict(zip(names, ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                                   "#e6ab02"]))  # Dark2
maps = bv.atlas(components_img, labels=component_names, opacity=0.35, colors=network_colors)
graph = bv.connectome(partial, atlas=maps, edge_threshold=0.1, node_size=10,
                      node_color=[network_colors[name] for name in component_names],
                      tubes=True, edge_width=4, width_by_weight=True, node_labels=True)
panels = []
bv.view("left")
bv.title("CanICA components and partial correlations, left view", size=18, color="black")
panels.append(bv.screenshot())
bv.view("superior")
bv.title("from above, anterior up", size=18, color="black")
bv.text("L", position=(0.17, 0.5), size=20, color="black")
bv.text("R", position=(0.79, 0.5), size=20, color="black")
bv.colorbar(graph, title="partial correlation")
panels.append(bv.screenshot())
write_image(tile(panels, ncols=2), "plot_brain_mining.png")

# One edge per planted coupling; each node inside its component's main cluster.
assert graph.n_edges_drawn == is_planted.sum()
for name, xyz in zip(maps.names, graph.node_positions):
    assert name in (maps.label_at(xyz) or {}), f"{name}'s node is outside it"
print(f"\n{len(maps.names)} components drawn; {graph.n_edges_drawn} edges; "
      f"{time.perf_counter() - start:.1f} s")
