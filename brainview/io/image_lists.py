"""A list or tuple of 3-D images where one image is expected: one 4-D image, as nilearn concatenates.

nilearn's functions take a list of 3-D Niimg-like images wherever a 4-D image
is expected (``nilearn.image.concat_imgs``). brainview does the same:
:func:`brainview.io.load_image` concatenates such a list into a 4-D image
whose volumes ``volume=`` picks. An ``(array, affine)`` pair stays a pair: it
is a tuple of two items whose first is a numpy array and whose second has
shape (4, 4); a sequence of images is made of paths, nibabel images or
``(array, affine)`` pairs.

Examples
--------
>>> import numpy as np
>>> a, b = (np.zeros((2, 2, 2)), np.eye(4)), (np.ones((2, 2, 2)), np.eye(4))
>>> is_image_sequence((np.zeros((2, 2, 2)), np.eye(4))), is_image_sequence([a, b])
(False, True)
>>> from brainview.io import load_image
>>> data, affine = concat_images([a, b], load=load_image)
>>> data.shape
(2, 2, 2, 2)
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import BrainviewValueError

__all__ = ["concat_images", "is_image_sequence"]


def _is_pair(img):
    return (isinstance(img, tuple) and len(img) == 2 and isinstance(img[0], np.ndarray)
            and np.shape(img[1]) == (4, 4))


def _is_image(item):
    """A path, an (array, affine) pair, a nibabel image (``dataobj``) or a brainview Image (``data``)."""
    return (isinstance(item, (str, os.PathLike)) or _is_pair(item)
            or (hasattr(item, "affine") and (hasattr(item, "dataobj") or hasattr(item, "data"))))


def is_image_sequence(img):
    """True for a non-empty list or tuple of images (paths, nibabel images, pairs), never for a pair.

    Examples
    --------
    >>> import numpy as np
    >>> is_image_sequence(("a.nii", "b.nii")), is_image_sequence([np.zeros(3), np.eye(4)])
    (True, False)
    """
    if not isinstance(img, (list, tuple)) or not img or _is_pair(img):
        return False
    return all(_is_image(item) for item in img)


def concat_images(images, *, load, name="img", kind=None):
    """The ``(data, affine)`` pair of a 4-D image made of 3-D images (nilearn's ``concat_imgs``).

    Parameters
    ----------
    images : list or tuple
        3-D images (paths, nibabel images or ``(array, affine)`` pairs; a 4-D
        image of one volume counts as 3-D), all of one shape and affine.
    load : callable
        :func:`brainview.io.load_image`, which reads each image (passed in:
        it calls this module).
    name : str
        Parameter named in errors (``img[2]`` for the third image).
    kind : str, optional
        Layer kind, for the memory budget (see :func:`brainview.io.load_image`).

    Returns
    -------
    (ndarray, ndarray)
        The data, volumes last (one per image, in order), and the shared affine.

    Raises
    ------
    BrainviewValueError
        An image is 4-D with several volumes, or differs from the first in
        shape or affine (resample it first, e.g. ``nilearn.image.resample_to_img``).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.io import load_image
    >>> concat_images([(np.zeros((2, 2, 2)), np.eye(4)), (np.zeros((2, 2, 3)), np.eye(4))], load=load_image)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: img[1]: shape (2, 2, 3) differs from img[0]'s (2, 2, 2); a list of images is concatenated into one 4-D image (nilearn's concat_imgs): resample them to one grid first (nilearn.image.resample_to_img).
    """
    loaded = []
    for index, item in enumerate(images):
        label = f"{name}[{index}]"
        try:
            loaded.append(load(item, name=label, kind=kind))
        except BrainviewValueError as error:
            if "4-D" not in str(error):
                raise
            raise BrainviewValueError(
                f"{label}: a list of images must hold 3-D images (concatenated into one 4-D image); "
                f"pass a 4-D image as one image instead of in a list ({error})."
            ) from error
    first = loaded[0]
    fix = ("a list of images is concatenated into one 4-D image (nilearn's concat_imgs): "
           "resample them to one grid first (nilearn.image.resample_to_img).")
    for index, image in enumerate(loaded[1:], start=1):
        if image.shape != first.shape:
            raise BrainviewValueError(f"{name}[{index}]: shape {image.shape} differs from {name}[0]'s "
                                      f"{first.shape}; {fix}")
        if not np.allclose(image.affine, first.affine, atol=1e-5):
            raise BrainviewValueError(f"{name}[{index}]: its affine differs from {name}[0]'s; {fix}")
    dtype = np.result_type(*[image.data.dtype for image in loaded])
    return np.stack([image.data for image in loaded], axis=-1).astype(dtype, copy=False), first.affine
