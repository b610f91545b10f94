"""
Brain mining: regions learnt from resting-state data, and the graph between them
================================================================================

brainview generates resting-state-like data on the 2 mm MNI grid with five
planted networks (fixed seed). A group ICA (CanICA's recipe: per-subject PCA,
group PCA, spatial FastICA) learns the components; their signs are arbitrary,
and ``bv.atlas`` draws each one as a region on its dominant sign, at nilearn's
``plot_prob_atlas`` threshold, without noise specks. ``NiftiMapsMasker``
extracts one signal per component, ``GraphicalLassoCV`` gives a sparse
partial-correlation matrix, and ``bv.connectome(..., atlas=maps)`` puts one
node inside each component's main cluster. The script checks that every
planted network is recovered by a component.

nilearn's ``CanICA`` or ``DictLearning`` give ``components_img_`` that go into
``bv.atlas`` the same way; they are left out here because they take minutes.

Set ``BRAINVIEW_EXAMPLE_QUICK=1`` for a 4 mm, shorter run (the test suite's).
"""

import os
import time

import numpy as np
from nilearn.connectome import ConnectivityMeasure
from nilearn.maskers import NiftiMapsMasker, NiftiMasker
from sklearn.covariance import GraphicalLassoCV
from sklearn.decomposition import PCA, FastICA

import brainview as bv
from brainview.simulate import make_resting_state_dataset

QUICK = os.environ.get("BRAINVIEW_EXAMPLE_QUICK") == "1"
N_COMPONENTS = 5
start = time.perf_counter()

# Resting-state-like data with five planted networks.
data = make_resting_state_dataset(n_subjects=2, n_timepoints=60 if QUICK else 100,
                                  resolution=4 if QUICK else 2, rng=0)
masker = NiftiMasker(mask_img=data["mask_img"], smoothing_fwhm=6, standardize="zscore_sample").fit()

# Group ICA: each subject reduced by PCA, the group by PCA, then spatial ICA.
subject_bases = [PCA(2 * N_COMPONENTS, random_state=0).fit(masker.transform(img)).components_
                 for img in data["imgs"]]
group = PCA(N_COMPONENTS, random_state=0).fit(np.vstack(subject_bases)).components_
sources = FastICA(N_COMPONENTS, whiten="unit-variance", random_state=0).fit_transform(group.T)
components_img = masker.inverse_transform(sources.T)  # (x, y, z, component), signs arbitrary

# Every planted network must be found by one component (spatial correlation).
truth = NiftiMasker(mask_img=data["mask_img"], standardize=None).fit().transform(data["networks_img"])
correlation = np.abs(np.corrcoef(sources.T, truth)[:N_COMPONENTS, N_COMPONENTS:])
best = correlation.max(axis=0)
for name, value in zip(data["network_names"], best):
    print(f"planted network {name!r}: best component |r| = {value:.2f}")
assert (best > 0.5).all(), f"a planted network was not recovered: {best.round(2)}"

# Components as regions, then a sparse partial-correlation graph between them.
signals = NiftiMapsMasker(components_img, standardize="zscore_sample").fit_transform(data["imgs"][0])
measure = ConnectivityMeasure(cov_estimator=GraphicalLassoCV(), kind="partial correlation")
partial = measure.fit_transform([signals])[0]

bv.figure(size=(800, 600), bgcolor="white")
bv.glass_brain()
maps = bv.atlas(components_img, opacity=0.6)
graph = bv.connectome(partial, atlas=maps, edge_threshold="50%", node_size=8, node_color="black", tubes=True,
                      edge_width=4)
bv.view("left")
bv.title("Group ICA components as regions, partial-correlation graph", color="black")
bv.savefig("plot_brain_mining.png")

# Each node lies inside its component's main cluster.
for name, xyz in zip(maps.names, graph.node_positions):
    assert name in (maps.label_at(xyz) or {}), f"{name}'s node is outside it"
print(f"{len(maps.names)} components drawn; {graph.n_edges_drawn} edges; "
      f"{time.perf_counter() - start:.1f} s")
