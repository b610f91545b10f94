"""Stat-map inputs: one map, a dict of maps, or a decoder's ``coef_`` with its masker.

Private helpers of :mod:`brainview.layers.stat_map` (which re-exports
:func:`load_stat_maps`).
"""

from __future__ import annotations

import numpy as np

from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..io import load_image
from ..io.cifti import cifti_volume, is_cifti


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
