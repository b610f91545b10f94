"""Print scales keep every colour-bar label and title inside the picture (issue 21)."""

import nibabel as nib
import numpy as np
import pytest

import brainview as bv
from brainview.render.annotations import BAR_MARGIN


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_scaled_colour_bar_labels_and_title_are_never_cut_at_the_right_edge(scale):
    data = np.zeros((20, 20, 20), np.float32)
    data[5:15, 5:15, 5:15] = np.linspace(-8, 8, 10)[None, None, :]
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = -30
    fig = bv.figure(size=(300, 220), bgcolor="white", antialias=False)
    try:
        layer = bv.stat_map(nib.Nifti1Image(data, affine), threshold=1, bg=None)
        bv.colorbar(layer, title="z score (two-sided)")
        image = fig.screenshot(scale=scale)
        ink = (image < 128).any(axis=2)  # black text on white
        margin = BAR_MARGIN * scale
        assert not ink[:, -margin + 1:].any(), "a label or the title touches the right edge"
        assert ink[:, -margin - 60 * scale:-margin].any(), "the labels are there"
    finally:
        bv.close("all")
