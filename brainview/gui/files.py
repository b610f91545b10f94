"""Which layers a file becomes, decided by its header, format and name (no Qt here).

The ``brainview`` command, File -> Open and drag and drop all go through
:func:`open_files` (or :func:`layers_from_files`, which a script or a test
can call as well): surfaces (GIfTI meshes, FreeSurfer geometry) become
:class:`~brainview.layers.Surface` layers, per-vertex data files become their
overlays, and volumes become anatomy slices, a statistical map (on the MNI
template when no anatomy is given) or an atlas.

Each layer is built from the file's path (the layer reads the file; its
``get_params()`` returns the path, and the volume of a 4-D file as
``volume``), and the template from ``load_mni152(resolution=1)``: a saved
session references the files by relative path and SHA-256, and an exported
script names them and that loader call.

The role of a volume (:func:`volume_role`) is read, in this order, from:

1. the NIfTI intent code: ``NIFTI_INTENT_LABEL``/``NEURONAME`` -> atlas,
   a statistic (t, F, z, p, ``ESTIMATE``...) -> map;
2. a FreeSurfer segmentation name (``aseg``, ``aparc+aseg``, ``wmparc``,
   ``ribbon``...) or a BIDS ``_dseg`` name -> atlas;
3. a label table beside the file (``<stem>.tsv``, ``<stem>.txt``,
   ``<stem>_labels.tsv``, ``<stem>_lut.tsv``, ``FreeSurferColorLUT.txt``)
   and integer values -> atlas; several volumes of values in [0, 1] with such
   a table or atlas words (below, or ``prob``) -> a probabilistic atlas;
4. words of the file name: map words (zstat, tstat, spmT, cope, zmap...)
   -> map; atlas words (atlas, labels, parcellation, seg...) with integer
   values -> atlas; anatomy words (T1, T1w, T2, brain, MNI, template,
   anat...) -> anatomy;
5. an integer data type (uint8, int16... without scaling) -> anatomy: an
   integer image is not an atlas unless one of the rules above says so;
6. floating-point data: ``cal_min < 0`` in the header, or negative values in
   a strided sample of at most 100 000 voxels -> map; a sample with fewer
   than 5 % non-zero voxels (a thresholded map) -> map; else anatomy.

No rule scans every voxel. The user's choice always wins (``anat=``,
``maps=``, ``atlas=`` here; ``--anat``, ``--map``, ``--atlas`` in the command;
``Choices(roles=..., options=...)``, from the role chooser and ``FILE:ROLE:key=value``).
:mod:`brainview.gui.file_roles` adds probabilistic atlases, masks and noisy
anatomies to these rules and says why (the notes of :func:`open_files`);
the rules themselves live in :mod:`brainview.gui.file_types`.

Examples
--------
>>> import os, tempfile
>>> import nibabel as nib, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "anat.nii.gz")
>>> nib.save(nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.eye(4)), path)
>>> file_kind(path)
'volume'
>>> volume_role(path)
'anatomy'
>>> [layer.kind for layer in layers_from_files([path])]
['slices']
>>> layers_from_files([path])[0].get_params()["img"] == Path(path)
True
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BrainviewValueError, BrainviewWarning, ImageLoadError
from .file_layers import anatomy_layer, atlas_layer, map_layer, streamlines_layer, surface_layer
from .file_roles import apply_options, check_roles, guessed_role, mask_layer, template_note
from .file_types import SUPPORTED_FORMATS, count_volumes, file_kind, header_image, volume_role
from .label_tables import file_stem as _stem
from .label_tables import label_table_beside, read_label_table

__all__ = ["file_kind", "volume_role", "label_table_beside", "read_label_table", "open_files",
           "layers_from_files", "Choices", "Opened", "SUPPORTED_FORMATS"]

# ------------------------------------------------------------------ layers


@dataclass(frozen=True)
class Choices:
    """What the user said about the files (the command's flags; all optional).

    Attributes
    ----------
    atlas, anat, maps : bool or path
        A volume's role instead of the one :func:`volume_role` reads. A path
        is opened too; ``True`` means the only volume or, with several, the
        last (``atlas``, ``maps``) or the first (``anat``) one not otherwise chosen.
    labels : path
        Region names of the atlas (:func:`read_label_table`); default: a
        table beside the atlas file (:func:`label_table_beside`).
    volume : int
        The volume of 4-D images to show. Default: the first (with a note),
        except for an atlas, where 4-D means probability maps.
    cmap : str
        Colormap of the maps (of the anatomy when there is no map).
    threshold : float or str
        Threshold of the maps (a number or a percentile such as ``"95%"``).
    overlay : path
        Per-vertex data for the (first) surface.
    roles : dict, optional
        ``{path: role}``, a role of :data:`brainview.gui.file_roles.ROLES` per file
        (the role chooser, ``FILE:ROLE`` in the command).
    options : dict, optional
        ``{path: {name: value}}``: options set on the file's layer, each checked by
        its trait (``FILE:ROLE:threshold=3.1``).
    """

    atlas: object = None
    anat: object = None
    maps: object = None
    labels: object = None
    volume: object = None
    cmap: object = None
    threshold: object = None
    overlay: object = None
    roles: object = None
    options: object = None


@dataclass
class Opened:
    """What :func:`open_files` built: the layers (in drawing order) and notes for the user."""

    layers: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def open_files(paths, choices=None, *, anatomy=True):
    """Build (not add) the layers that show some files together.

    Parameters
    ----------
    paths : sequence of path
        Volumes, surfaces and per-vertex data files, in any order.
    choices : Choices, optional
        The user's decisions (roles, names, volume, colours).
    anatomy : bool
        Put the MNI152 template under a statistical map when no anatomical
        volume is among the files.

    Returns
    -------
    Opened

    Raises
    ------
    ImageLoadError
        A file is missing, a folder, unsupported or corrupt.
    BrainviewValueError
        The choices do not fit the files (``--atlas`` without a volume...).
    """
    choices = choices or Choices()
    paths = [Path(p) for p in paths]
    chosen = {}
    for role, value in (("atlas", choices.atlas), ("anatomy", choices.anat), ("map", choices.maps)):
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            if path not in paths:
                paths.append(path)
            chosen[path] = role
    for path, role in (choices.roles or {}).items():
        chosen[Path(path)] = role
    kinds = [file_kind(p) for p in paths]
    check_roles(paths, kinds, chosen)
    volumes = [p for p, k in zip(paths, kinds) if k == "volume"]
    surfaces = [p for p, k in zip(paths, kinds) if k == "surface"]
    vertex_data = [p for p, k in zip(paths, kinds) if k == "surface_data"]
    tractograms = [p for p, k in zip(paths, kinds) if k == "streamlines"]
    for role, flag, value, last in (("atlas", "atlas", choices.atlas, True),
                                    ("anatomy", "anat", choices.anat, False),
                                    ("map", "map", choices.maps, True)):
        if value is True:
            free = [p for p in volumes if p not in chosen]
            if not free:
                raise BrainviewValueError(f"{flag}: --{flag} needs a volume among the files.")
            chosen[free[-1] if last else free[0]] = role
    if choices.overlay is not None:
        vertex_data.insert(0, Path(choices.overlay))
    if vertex_data and not surfaces:
        raise BrainviewValueError(
            f"overlay: '{vertex_data[0]}' holds one value per vertex; open it together "
            "with its surface (brainview lh.pial.gii --overlay thickness.gii)."
        )
    opened = Opened()
    opened.layers = _volume_layers(volumes, chosen, opened.notes, choices,
                                   anatomy=anatomy and not surfaces)
    for i, surface in enumerate(surfaces):
        layer = surface_layer(surface, vertex_data[i] if i < len(vertex_data) else None)
        opened.layers.append(apply_options(layer, (choices.options or {}).get(surface), surface))
    opened.layers += [apply_options(streamlines_layer(path), (choices.options or {}).get(path), path)
                      for path in tractograms]
    opened.notes = list(dict.fromkeys(opened.notes))  # a note said twice (a table beside and named) once
    return opened


def layers_from_files(paths, *, atlas=None, overlay=None, anatomy=True):
    """The layers of :func:`open_files`; its notes become :class:`BrainviewWarning`\\ s."""
    opened = open_files(paths, Choices(atlas=atlas, overlay=overlay), anatomy=anatomy)
    for note in opened.notes:
        warnings.warn(note, BrainviewWarning, stacklevel=2)
    return opened.layers


def _volume_layers(volumes, chosen, notes, choices, *, anatomy):
    """The layers of the volumes, each built from its path (the layer reads the file once)."""
    roles, volume_of, four_d = {}, {}, False
    for path in volumes:
        header = header_image(path)
        _check_scalar(path, header)
        n_volumes = count_volumes(path, header)
        role = chosen.get(path) or guessed_role(path, notes)
        if n_volumes > 1:
            four_d = True
            if role not in ("atlas", "prob_atlas") or choices.volume is not None:  # 4-D atlas: probabilities
                volume_of[path] = _chosen_volume(path, n_volumes, choices.volume, notes)
        roles[path] = role
    if choices.volume is not None and not four_d:
        notes.append(f"--volume {choices.volume}: none of the files is 4-D; ignored.")
    atlases = [p for p in volumes if roles[p] in ("atlas", "prob_atlas")]
    if choices.labels is not None and len(atlases) != 1:
        raise BrainviewValueError(
            f"labels: --labels names the regions of one atlas, but {len(atlases)} of the files "
            "are atlases; name the atlas with --atlas FILE."
        )
    maps = [p for p in volumes if roles[p] == "map"]
    anatomy_cmap = None if maps else choices.cmap  # --cmap colours the maps when there are
    layers = [anatomy_layer(p, volume_of.get(p), _stem(p.name), anatomy_cmap)
              for p in volumes if roles[p] == "anatomy"]
    if maps and anatomy and not layers:
        from ..datasets import load_mni152

        # The loader's own image: scene files and scripts record it as the loader call.
        layers.append(anatomy_layer(load_mni152(resolution=1), None, "MNI152 template", None))
        notes += [template_note(p) for p in maps if template_note(p)]
    layers += [map_layer(p, volume_of.get(p), choices) for p in maps]
    layers += [atlas_layer(p, volume_of.get(p), choices.labels, notes) for p in atlases]
    layers += [mask_layer(p, volume_of.get(p)) for p in volumes if roles[p] == "mask"]
    options = {Path(path): value for path, value in (choices.options or {}).items()}
    for layer in layers:  # each file's options, checked by its layer's traits
        path = layer.get_params().get("img", layer.get_params().get("atlas"))
        if isinstance(path, Path) and path in options:
            apply_options(layer, options[path], path, notes=notes)
    return layers


def _check_scalar(path, header):
    """Refuse colour (RGB/RGBA) and other record volumes by their header, before any layer."""
    dtype = header.get_data_dtype()
    if dtype.names:
        raise ImageLoadError(
            f"'{path}': an RGB colour image (data type {dtype}); brainview shows volumes of "
            "real numbers (anatomy, statistical maps, atlases) only. Save one channel or a "
            "greyscale version as a new image and open that."
        )


def _chosen_volume(path, n_volumes, volume, notes):
    if volume is None:
        notes.append(f"'{path.name}' holds {n_volumes} volumes; showing volume 0 "
                     "(choose another with --volume N).")
        return 0
    if isinstance(volume, bool) or not isinstance(volume, (int, np.integer)) or not 0 <= volume < n_volumes:
        raise BrainviewValueError(f"volume: must be an integer in 0..{n_volumes - 1} for '{path.name}' "
                                  f"({n_volumes} volumes), got {volume!r}.")
    return int(volume)
