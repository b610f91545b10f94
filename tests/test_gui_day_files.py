"""Files of a subject in its own scanner space, opened as the app opens them (issue 24's day of work)."""

import nibabel as nib
import numpy as np

from trial_files import SUBJECT_AFFINE, write_trial_files


def test_a_subject_space_map_with_its_anatomy_is_framed_with_an_mni_glass_brain_far_away(tmp_path):
    """Bug: a map not over the MNI brain got the MNI glass brain outline; the 3-D view framed both."""
    import brainview as bv
    from brainview.gui.files import Choices, open_files

    anatomy = write_trial_files(tmp_path)["anat"]  # noisy, with negative values, in subject space
    data = np.zeros((20, 20, 20), np.float32)
    data[8:12, 8:12, 8:12] = 5.0
    zmap = tmp_path / "sub-01_zstat1.nii.gz"
    nib.save(nib.Nifti1Image(data, SUBJECT_AFFINE), zmap)
    opened = open_files([anatomy, zmap], Choices(roles={str(anatomy): "anatomy", str(zmap): "map"}))
    figure = bv.Figure(size=(120, 90))
    try:
        for layer in opened.layers:
            figure.add(layer)
        low, high = SUBJECT_AFFINE[:3, 3], SUBJECT_AFFINE[:3, 3] + 19  # the subject's field of view
        bounds = np.reshape(figure.bounds(), (3, 2))
        assert np.all(bounds[:, 0] >= low - 5) and np.all(bounds[:, 1] <= high + 5), bounds.tolist()
    finally:
        figure.close()
