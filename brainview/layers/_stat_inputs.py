"""Stat-map inputs: one map, a dict of maps, or a decoder's ``coef_`` with its masker.

Private helpers of :mod:`brainview.layers.stat_map` (which re-exports
:func:`load_stat_maps`).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..io import load_image
from ..io.cifti import cifti_volume, is_cifti
from ..io.image_lists import is_image_sequence
from ..statmap_colors import MIN_LEVEL


def load_stat_maps(img, *, masker=None):
    """One map or a dict of maps from any stat-map input.

    Parameters
    ----------
    img : image, dict of images, or array
        An image accepted by :func:`brainview.io.load_image`; a dict
        ``{class: image}`` (nilearn's ``Decoder.coef_img_``); or, with
        ``masker``, a scikit-learn ``coef_`` array of shape ``(n_features,)``,
        ``(1, n_features)`` or ``(n_classes, n_features)``.
    masker : fitted nilearn masker, optional
        The masker that produced the decoder's features; its
        ``inverse_transform`` puts the weights back in brain space.

    Returns
    -------
    image or dict
        A dict (class → image) for dict inputs and multi-row ``coef_``.

    Examples
    --------
    >>> import numpy as np
    >>> maps = load_stat_maps({"a": (np.zeros((2, 2, 2)), np.eye(4))})
    >>> list(maps)
    ['a']
    """
    if masker is not None:
        return _unmask(img, masker)
    if isinstance(img, dict):
        if not img:
            raise BrainviewValueError("img: got an empty dict of maps; pass at least one class -> image.")
        return {key: load_image(cifti_volume(value), name=f"img[{key!r}]") for key, value in img.items()}
    if is_image_sequence(img):
        return img  # one 4-D image (nilearn's list of 3-D images), read by load_image
    if isinstance(img, (np.ndarray, list)) and np.ndim(img) in (1, 2):
        raise BrainviewTypeError(
            f"img: got {describe(np.asarray(img))}, a weight vector rather than an image. "
            "Pass masker=<the fitted masker that produced the features> to map it back to the brain."
        )
    return img


def _unmask(coef, masker):
    if not hasattr(masker, "inverse_transform"):
        raise BrainviewTypeError(
            f"masker: expected a fitted nilearn masker (with inverse_transform), got {describe(masker)}."
        )
    try:
        weights = np.asarray(coef, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"img: expected a coef_ array with masker=, got {describe(coef)}.") from None
    if weights.ndim not in (1, 2) or weights.size == 0:
        raise BrainviewValueError(
            f"img: a coef_ must have shape (n_features,) or (n_classes, n_features), got {weights.shape}."
        )
    rows = np.atleast_2d(weights)
    n_features = _masker_features(masker)
    if n_features is not None and rows.shape[1] != n_features:
        raise BrainviewValueError(
            f"img: coef_ has {rows.shape[1]} features but the masker's mask has {n_features} voxels; "
            "pass the masker that produced the decoder's training data."
        )
    try:
        images = [masker.inverse_transform(row) for row in rows]
    except Exception as error:  # nilearn raises NotFittedError, ValueError...
        raise BrainviewValueError(
            f"masker: inverse_transform failed ({type(error).__name__}: {error}). "
            "Fit the masker (or the decoder) first."
        ) from error
    loaded = [load_image(image, name="img") for image in images]
    return loaded[0] if len(loaded) == 1 else dict(enumerate(loaded))


def _masker_features(masker):
    mask = getattr(masker, "mask_img_", None)
    if mask is None:
        return None
    return int(np.count_nonzero(np.asarray(mask.dataobj)))


def cut_coords(data, threshold):
    """Voxel coordinates of the centre of the largest cluster above a threshold.

    nilearn's ``find_xyz_cut_coords`` (which ``plot_stat_map`` uses to place
    its cuts), without importing ``nilearn.plotting`` (3 s): the largest
    connected component of ``|data| >= threshold``; within it, the largest
    component above the mean ``|value|`` when that has more than 50 voxels;
    the centre of mass of ``|value|`` over what remains. A large blob wins
    over a small but stronger speck (the largest ``|value|``).

    Parameters
    ----------
    data : ndarray, 3-D
    threshold : float
        ``>= 0``; 0 means every non-zero voxel.

    Returns
    -------
    ndarray, shape (3,)
        Fractional voxel indices; the centre of the array for an empty map,
        the centre of mass of ``|data|`` when nothing reaches the threshold.

    Examples
    --------
    >>> import numpy as np
    >>> data = np.zeros((20, 20, 20))
    >>> data[2:8, 2:8, 2:8] = 3.0   # a large blob
    >>> data[15, 15, 15] = 9.0      # a strong speck
    >>> cut_coords(data, 1.0).tolist()
    [4.5, 4.5, 4.5]
    """
    from scipy import ndimage

    from ..geometry.labels import largest_component

    magnitude = np.abs(data)
    if not magnitude.any():
        return (np.array(data.shape) - 1) / 2.0
    level = threshold if threshold > 0 else MIN_LEVEL * float(magnitude.max())
    mask = magnitude >= level
    if not mask.any():
        return np.array(ndimage.center_of_mass(magnitude))
    mask = largest_component(mask)
    second = mask & (magnitude > magnitude[mask].mean())
    if np.count_nonzero(second) > 50:
        mask = largest_component(second)
    return np.array(ndimage.center_of_mass(np.where(mask, magnitude, 0.0)))


def finite_float(image):
    """The map as float32 with NaN/inf set to 0 (not shown); warns once if some were."""
    data = np.asarray(image.data, dtype=np.float32)
    bad = ~np.isfinite(data)
    count = int(np.count_nonzero(bad))
    if count and count < data.size:
        warnings.warn(
            f"img: {count} of {data.size} voxels are NaN or infinite; they count as 0 (not shown).",
            BrainviewWarning, stacklevel=4,
        )
    if count:
        data = np.where(bad, np.float32(0), data)
    data = np.ascontiguousarray(data)
    data.flags.writeable = False
    return data


def check_cut_coords(value, name="cut_coords"):
    """None, or three finite numbers (mm) as a tuple of floats."""
    if value is None:
        return None
    try:
        xyz = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"{name}: expected (x, y, z) in mm or None, got {describe(value)}.") from None
    if len(xyz) != 3 or not np.isfinite(xyz).all():
        raise BrainviewValueError(f"{name}: expected three finite numbers (x, y, z) in mm, got {value!r}.")
    return xyz
