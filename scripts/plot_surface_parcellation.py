"""
A parcellation on fsaverage5: one colour per region, a legend, a region subset
==============================================================================

A parcellation is one integer label per vertex plus each label's name and
colour. Here the Desikan-Killiany labels of fsaverage5's left hemisphere (the
``.annot`` nilearn ships for its tests) are read as a plain array and a
pandas table, as a Schaefer CSV or an HCP label array would come: the table
gives the names and colours (``labels=``), ``regions=`` keeps the frontal and
central ones, and ``legend=True`` lists them. Every region has its own colour
(never a continuous colour map); ``label_at`` names the region of a vertex or
a point in mm.
"""

from pathlib import Path

import nibabel as nib
import nilearn
import pandas as pd

import brainview as bv

annot = Path(nilearn.__file__).parent / "surface" / "tests" / "data" / "test.annot"
label_array, ctab, names = nib.freesurfer.read_annot(annot)
table = pd.DataFrame({
    "index": range(len(names)),
    "name": [name.decode() for name in names],
    "r": ctab[:, 0], "g": ctab[:, 1], "b": ctab[:, 2],
})

bv.figure(size=(800, 600), bgcolor="white")
layer = bv.surface("fsaverage5", label_array, labels=table, hemi="left", inflated=True, bg_map="sulc",
                   regions=["*frontal*", "precentral", "postcentral", "paracentral", "pars*"], legend=True)
bv.view("left")
bv.title("Desikan-Killiany regions, fsaverage5 left (inflated)", color="black")
print(f"{len(layer.shown_regions)} of {len(layer.region_names)} regions shown; vertex 0 is in "
      f"{layer.label_at(0)!r}")
bv.savefig("plot_surface_parcellation.png")
