"""The trial's kinds of files, small, written to a folder: for tests/test_roles*.py."""

from pathlib import Path

import nibabel as nib
import numpy as np

MNI_AFFINE = np.array([[3.0, 0, 0, -30], [0, 3, 0, -30], [0, 0, 3, -30], [0, 0, 0, 1]])
#: A scanner's subject space, far from the MNI brain.
SUBJECT_AFFINE = np.array([[1.0, 0, 0, 80], [0, 1, 0, 120], [0, 0, 1, -20], [0, 0, 0, 1]])
SHAPE = (20, 20, 20)


def write_trial_files(folder):
    """``{name: path}``: a 4-D probabilistic atlas with its .tsv, a binary ROI, an atlas with a
    .csv LUT, a subject-space anatomy with negative values, a label table that matches nothing."""
    folder, rng = Path(folder), np.random.default_rng(0)
    ijk = np.indices(SHAPE)
    centres = [(6, 6, 6), (13, 13, 13), (6, 13, 10)]
    prob = np.stack([np.exp(-((ijk - np.array(c)[:, None, None, None]) ** 2).sum(0) / 8.0)
                     for c in centres], axis=-1).astype(np.float32)
    roi = np.zeros(SHAPE, np.float32)
    roi[8:12, 8:12, 8:12] = 1
    labels = np.zeros(SHAPE, np.int16)
    labels[2:8, 2:8, 2:8], labels[10:16, 10:16, 10:16] = 1, 2
    anatomy = (100 * np.exp(-((ijk - 10) ** 2).sum(0) / 40.0) + rng.normal(0, 3, SHAPE)).astype(np.float32)
    paths = {"prob": folder / "HarvardOxford-cort-prob-3mm.nii.gz", "roi": folder / "roi.nii.gz",
             "atlas": folder / "myatlas.nii.gz", "anat": folder / "sub-01_acq-mp2rage_run-1.nii.gz",
             "wrong": folder / "regions.nii.gz"}
    for name, data, affine in (("prob", prob, MNI_AFFINE), ("roi", roi, MNI_AFFINE), ("atlas", labels, MNI_AFFINE),
                               ("anat", anatomy, SUBJECT_AFFINE), ("wrong", labels, MNI_AFFINE)):
        nib.save(nib.Nifti1Image(data, affine), paths[name])
    (folder / "HarvardOxford-cort-prob-3mm.tsv").write_text("index\tname\n0\tFrontal\n1\tParietal\n2\tTemporal\n")
    (folder / "myatlas.csv").write_text("index,name\n1,Left thing\n2,Right thing\n")
    (folder / "regions.tsv").write_text("index\tname\n7\tseven\n8\teight\n")
    paths["lut"] = folder / "lut.csv"
    paths["lut"].write_text("index,name\n1,Alpha\n2,Beta\n")
    return paths
