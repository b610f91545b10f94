"""Decoder weight map in a glass brain
======================================

brainview generates fMRI-like images in MNI space (4 mm, 120 samples) whose
two classes, "face" and "house", differ only in two planted blobs: the face
blob in the right ventral temporal cortex (40, -52, -18) and the house blob
in the left one (-28, -50, -10). A nilearn ``Decoder`` (linear SVC) learns
to tell them apart; its weight map ``decoder.coef_img_`` (a dict, one map
per class) is shown with ``bv.stat_map`` inside a glass brain, thresholded
at the 99th percentile of the absolute weights: the two blobs stand out, one
positive and one negative.

Sign convention: for two classes, nilearn 0.14 stores scikit-learn's
``coef_`` (which points towards the second class, "house") under the FIRST
class, ``coef_img_["face"]``, and its negative under "house". So the face map
shown here is negative (blue) in the face blob and positive (red) in the
house blob; the script prints the mean weights to make that visible.

Seen from below (inferior view, anterior up), the subject's right is on the
image's LEFT: the face blob (x = +40) is the left one.
"""

import warnings

import numpy as np
from nilearn.decoding import Decoder

import brainview as bv
from brainview.simulate import make_decoder_dataset

data = make_decoder_dataset(n_samples=120, rng=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # nilearn's notes about screening and convergence
    decoder = Decoder(estimator="svc", mask=data["mask_img"], standardize="zscore_sample",
                      screening_percentile=100, cv=3)
    decoder.fit(data["imgs"], data["labels"])

truth = np.asarray(data["pattern_img"].dataobj)
for label, img in decoder.coef_img_.items():
    weights = np.asarray(img.dataobj)
    inside = truth != 0
    print(f"{label}: mean weight in face blob {weights[truth > 0].mean():+.4f}, "
          f"house blob {weights[truth < 0].mean():+.4f}, elsewhere {weights[~inside].mean():+.5f}")

bv.figure(size=(800, 600), bgcolor="white")
group = bv.stat_map(decoder.coef_img_, threshold="99%")
group.selected = "face"
bv.colorbar(group["face"], title="face weight")
bv.title('coef_img_["face"], 99th percentile of |w|')
bv.view("inferior")
bv.savefig("plot_decoder_weights.png")
