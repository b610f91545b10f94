"""Which layers a file becomes, decided by its content (no Qt here).

The ``brainview`` command, File -> Open and drag and drop all go through
:func:`layers_from_files`, which a script or a test can call as well:
surfaces (GIfTI meshes, FreeSurfer geometry) become :class:`~brainview.layers.Surface`
layers, per-vertex data files become their overlays, and volumes become
anatomy slices, a statistical map (on the MNI template when no anatomy is
given) or an atlas.

Examples
--------
>>> import os, tempfile
>>> import nibabel as nib, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "anat.nii.gz")
>>> nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)), path)
>>> file_kind(path)
'volume'
>>> [layer.kind for layer in layers_from_files([path])]
['slices']
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import BrainviewValueError, ImageLoadError

__all__ = ["file_kind", "volume_role", "layers_from_files"]

_HEAD_BYTES = 352


def _head(path):
    path = Path(path)
    if not path.is_file():
        raise ImageLoadError(f"'{path}': file not found. Check the path.")
    with open(path, "rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path) as stream:
                head = stream.read(_HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as error:
            raise ImageLoadError(f"'{path}': corrupt gzip file ({error}).") from error
    return head


def file_kind(path):
    """``"volume"``, ``"surface"`` or ``"surface_data"``, from the file's first bytes.

    Raises
    ------
    ImageLoadError
        The file is missing or is none of NIfTI-1/2, MGH, GIfTI or FreeSurfer.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.nii")
    >>> _ = open(path, "w").write("not an image")
    >>> file_kind(path)
    Traceback (most recent call last):
    ...
    brainview.errors.ImageLoadError: '...notes.nii': unsupported file: not a NIfTI, MGH, GIfTI or FreeSurfer file (it starts with b'not an i').
    """
    head = _head(path)
    stripped = head.lstrip()
    if stripped.startswith((b"<?xml", b"<GIFTI", b"<!DOCTYPE GIFTI")):
        return _gifti_kind(path)
    if head[:3] == b"\xff\xff\xfe":
        return "surface"  # FreeSurfer triangle file (lh.pial, rh.white...)
    if head[:3] == b"\xff\xff\xff":
        return "surface_data"  # FreeSurfer "new" curv format (lh.thickness, lh.sulc...)
    if _is_nifti(head) or _is_mgh(head):
        return _volume_or_vertex_data(path)
    raise ImageLoadError(
        f"'{path}': unsupported file: not a NIfTI, MGH, GIfTI or FreeSurfer file "
        f"(it starts with {head[:8]!r})."
    )


def _is_nifti(head):
    if len(head) < 348:
        return False
    sizes = {struct.unpack("<i", head[:4])[0], struct.unpack(">i", head[:4])[0]}
    return (348 in sizes and head[344:348] in (b"n+1\0", b"ni1\0")) or 540 in sizes


def _is_mgh(head):
    return len(head) >= 28 and struct.unpack(">i", head[:4])[0] == 1


def _gifti_kind(path):
    from ..io import _read_gifti

    try:
        gii = _read_gifti(Path(path))
    except Exception as error:
        raise ImageLoadError(f"'{path}': could not read GIfTI ({type(error).__name__}: {error}).") from error
    return "surface" if gii.get_arrays_from_intent("NIFTI_INTENT_POINTSET") else "surface_data"


def _volume_or_vertex_data(path):
    import nibabel as nib

    try:
        shape = nib.load(str(path)).shape
    except Exception as error:
        raise ImageLoadError(f"'{path}': could not read the image header ({error}).") from error
    # FreeSurfer stores per-vertex data as (n, 1, 1) MGH/NIfTI volumes.
    return "surface_data" if sum(n > 1 for n in shape[:3]) == 1 else "volume"


def volume_role(data):
    """``"labels"``, ``"anatomy"`` or ``"map"`` for a volume's values.

    Labels: non-negative integers with 3 to 2000 distinct values. Anatomy:
    non-negative and mostly non-zero. Anything else (signed or sparse) is a
    statistical map.

    Examples
    --------
    >>> import numpy as np
    >>> volume_role(np.arange(27).reshape(3, 3, 3) % 5)
    'labels'
    >>> volume_role(np.linspace(-3, 3, 27).reshape(3, 3, 3))
    'map'
    >>> volume_role(np.linspace(1, 9, 27).reshape(3, 3, 3))
    'anatomy'
    """
    values = np.asarray(data)
    if values.size > 1_000_000:
        values = values.ravel()[:: values.size // 1_000_000]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return "map"
    if values.min() >= 0 and np.all(values == np.round(values)):
        n_distinct = len(np.unique(values))
        if 3 <= n_distinct <= 2000:
            return "labels"
    if values.min() >= 0 and np.count_nonzero(values) > 0.3 * values.size:
        return "anatomy"
    return "map"


def layers_from_files(paths, *, atlas=None, overlay=None, anatomy=True):
    """Build (not add) the layers that show some files together.

    Parameters
    ----------
    paths : sequence of path
        Volumes, surfaces and per-vertex data files, in any order.
    atlas : bool or path, optional
        A labelled volume to show as an atlas; ``True`` makes the last volume
        of ``paths`` the atlas. Integer label volumes are atlases anyway.
    overlay : path, optional
        Per-vertex data for the (first) surface.
    anatomy : bool
        Put the MNI152 template under a statistical map when no anatomical
        volume is among the files.

    Returns
    -------
    list of Layer
        In drawing order; add them with ``fig.add``.
    """
    paths = [Path(p) for p in paths]
    if isinstance(atlas, (str, os.PathLike)):
        paths.append(Path(atlas))
        atlas = paths[-1]
    kinds = [file_kind(p) for p in paths]
    volumes = [p for p, k in zip(paths, kinds) if k == "volume"]
    surfaces = [p for p, k in zip(paths, kinds) if k == "surface"]
    vertex_data = [p for p, k in zip(paths, kinds) if k == "surface_data"]
    if overlay is not None:
        vertex_data.insert(0, Path(overlay))
    if vertex_data and not surfaces:
        raise BrainviewValueError(
            f"overlay: '{vertex_data[0]}' holds one value per vertex; open it together "
            "with its surface (brainview lh.pial.gii --overlay thickness.gii)."
        )
    if atlas is True:
        if not volumes:
            raise BrainviewValueError("atlas: --atlas needs a labelled volume among the files.")
        atlas = volumes[-1]
    layers = _volume_layers(volumes, atlas, anatomy=anatomy and not surfaces)
    for i, surface in enumerate(surfaces):
        layers.append(_surface_layer(surface, vertex_data[i] if i < len(vertex_data) else None))
    return layers


def _volume_layers(volumes, atlas, *, anatomy):
    from ..io import Image, load_image

    images = {p: load_image(p, name=p.name) for p in volumes}
    roles = {p: "labels" if p == atlas else volume_role(images[p].data) for p in volumes}
    layers = [_anatomy_layer(images[p]) for p in volumes if roles[p] == "anatomy"]
    maps = [p for p in volumes if roles[p] == "map"]
    if maps and anatomy and not layers:
        from ..datasets import load_mni152

        template = load_image(load_mni152(resolution=1))
        layers.append(_anatomy_layer(Image(template.data, template.affine, "MNI152 template")))
    layers += [_map_layer(images[p]) for p in maps]
    layers += [_atlas_layer(images[p]) for p in volumes if roles[p] == "labels"]
    return layers


def _anatomy_layer(image, name=None):
    from ..layers import Slices

    return Slices((image.data, image.affine), cmap="gray", name=name or _stem(image.name))


def _map_layer(image):
    from ..layers import StatMap

    return StatMap((image.data, image.affine), name=_stem(image.name))


def _atlas_layer(image):
    from ..layers import Atlas

    return Atlas((image.data, image.affine), name=_stem(image.name))


def _surface_layer(path, overlay):
    from ..layers import Surface

    return Surface(path, overlay, name=_stem(path.name))


def _stem(name):
    for suffix in (".nii.gz", ".gii.gz", ".nii", ".gii", ".mgz", ".mgh"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
