"""Writing scene files: a figure as versioned JSON plus references to its data (no figure is built here).

The writing half of :mod:`brainview.export.scene_file` (which reads them):
kept apart so that what writes a figure's scene into its own images
(:mod:`brainview.export.recipe`) needs nothing that builds figures.

Examples
--------
>>> import tempfile, os, brainview as bv
>>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
>>> scene_dict(fig, sidecar=None)["layers"][0]["kind"]
'points'
>>> bv.close("all")
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..errors import BrainviewTypeError, SceneFileError, describe
from ._encoding import encode, file_digest

__all__ = ["FORMAT", "VERSION", "data_file_writer", "layer_dict", "save_scene", "scene_dict", "scene_json"]

FORMAT = "brainview.scene"
VERSION = 1



def save_scene(figure, path, *, single_file=None, app=None):
    """Write ``figure`` to a scene file.

    Parameters
    ----------
    figure : brainview.scene.Figure
    path : str or pathlib.Path
        ``.bvscene`` (JSON, in-memory data in ``<stem>_data/`` beside it) or
        ``.bvz`` (one zip file holding the scene and all its data).
    single_file : bool, optional
        Default: True for a ``.bvz`` path.
    app : dict, optional
        The desktop app's own settings of this session (its layout, the
        lightbox's slices), plain JSON values, kept under ``"app"``: a figure
        loaded from the file ignores them; the app reads them back with
        :func:`brainview.export.scene_file.scene_app_settings`.

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> save_scene(fig, os.path.join(tempfile.mkdtemp(), "s.bvscene")); fig.close()
    """
    path = Path(path)
    if single_file is None:
        single_file = path.suffix == ".bvz"
    if app is not None and not isinstance(app, dict):
        raise BrainviewTypeError(f"app: expected a dict of the app's settings or None, got {describe(app)}.")
    if single_file:
        with tempfile.TemporaryDirectory() as folder:
            inner = Path(folder) / "scene.bvscene"
            _write(figure, inner, copy_inputs=True, app=app)
            _zip_folder(Path(folder), path)
        return
    _write(figure, path, copy_inputs=False, app=app)


def _write(figure, path, *, copy_inputs, app=None):
    sidecar = data_file_writer(path, copy_inputs=copy_inputs)
    scene = scene_dict(figure, sidecar=sidecar)
    if app:
        scene["app"] = app
    text = _dumps(scene)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def data_file_writer(path, *, copy_inputs):
    """The ``sidecar`` function of :func:`encode` for a file written at ``path``.

    In-memory data goes to ``<stem>_data/`` beside ``path``; the user's own
    files are referenced relative to ``path`` (or copied there with ``copy_inputs``).
    Scene files and exported scripts write their data with it.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "f.bvscene"
    >>> sidecar = data_file_writer(path, copy_inputs=False)
    >>> sidecar("npy", np.zeros(3), "coords")["$file"]["path"]
    'f_data/coords.npy'
    """
    data_dir = path.parent / f"{path.stem}_data"
    written = set()

    def sidecar(kind, obj, name):
        if kind == "input":
            source = Path(obj).resolve()
            if not source.is_file():
                raise SceneFileError(f"{name}: the data file '{source}' does not exist.")
            if copy_inputs:
                data_dir.mkdir(parents=True, exist_ok=True)
                target = _unique(data_dir / source.name, written)
                shutil.copyfile(source, target)
                source = target
            sha, size = file_digest(source)
            return {"$file": {"path": _relative(source, path.parent), "sha256": sha, "size": size,
                              "role": "input"}}
        data_dir.mkdir(parents=True, exist_ok=True)
        if kind == "npy":
            target = _unique(data_dir / f"{name}.npy", written)
            np.save(target, np.ascontiguousarray(obj), allow_pickle=False)
        else:
            target = _unique(data_dir / f"{name}.nii.gz", written)
            _save_nifti(obj, target)
        sha, size = file_digest(target)
        record = {"path": _relative(target, path.parent), "sha256": sha, "size": size, "role": kind}
        if kind == "nifti":
            # NIfTI stores Fortran order; meshes are extracted in the array's own order,
            # so a C-ordered image is given back C-ordered to draw the identical picture.
            record["order"] = "C" if _is_c_ordered(obj) else "F"
        return {"$file": record}

    return sidecar


def _is_c_ordered(image):
    data = np.asanyarray(image.dataobj)
    return data.ndim > 1 and data.flags.c_contiguous and not data.flags.f_contiguous


def _dumps(scene):
    """Indented JSON with lists of plain values kept on one line (readable, diffable)."""
    text = json.dumps(scene, indent=1, allow_nan=False)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                  lambda match: "[" + re.sub(r",\s+", ", ", match.group(1)) + "]", text)


def _save_nifti(image, target):
    import nibabel as nib

    data = np.asanyarray(image.dataobj)
    header = image.header if isinstance(image, nib.Nifti1Image) else None
    nib.save(nib.Nifti1Image(data, image.affine, header), str(target))


def _unique(target, written):
    stem, suffix = target.name.split(".", 1)
    candidate, n = target, 1
    while candidate in written:
        n += 1
        candidate = target.with_name(f"{stem}_{n}.{suffix}")
    written.add(candidate)
    return candidate


def _relative(target, folder):
    return Path(os.path.relpath(target, folder)).as_posix()


def _zip_folder(folder, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(folder.rglob("*")):
            if member.is_file():
                archive.write(member, member.relative_to(folder).as_posix())
    os.replace(temporary, path)


def scene_dict(figure, *, sidecar):
    """The JSON-ready dict of a figure (see the module docstring); ``sidecar`` writes data files."""
    import vtkmodules

    from .._version import __version__
    from ..layers.base import Layer

    layers = []
    for index, layer in enumerate(figure.layers):
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer {index}: {describe(layer)} is not a brainview layer.")
        layers.append(layer_dict(layer, index, sidecar=sidecar))
    return {
        "format": FORMAT,
        "version": VERSION,
        "brainview": __version__,
        "vtk": vtkmodules.__version__,
        "figure": {"size": list(figure.size), "bgcolor": list(figure.bgcolor),
                   "antialias": figure.antialias, **_layout_entry(figure)},
        "camera": {key: list(value) if isinstance(value, tuple) else value
                   for key, value in figure.camera.items()},
        "layers": layers,
        "annotations": figure.annotation_specs(),
        "colorbars": [dict(bar, layer=figure.layers.index(bar["layer"])) for bar in figure.colorbar_specs()],
    }


def layer_dict(layer, index, *, sidecar):
    """One layer's entry: kind, name, parameters as given and settings changed since."""
    data_params = getattr(type(layer), "data_params", ())
    prefix = f"layer{index}"
    params = {name: encode(value, sidecar=sidecar, name=f"{prefix}_{name}", data_param=name in data_params)
              for name, value in layer.get_params().items()}
    state = {name: encode(value, sidecar=None, name=f"{prefix}.{name}")
             for name, value in layer.get_state().items()}
    return {"kind": layer.kind, "name": layer.name, "params": params, "state": state}



def scene_json(scene):
    """The text of a scene file holding ``scene`` (indented JSON, lists of numbers on one line)."""
    return _dumps(scene)


def _layout_entry(figure):
    """``{"layout": ...}`` of a figure with panels (nothing for a single view: older files stay the same)."""
    spec = getattr(figure, "layout_spec", None)
    if spec is None:
        return {}
    from ..render.layout import layout_to_json

    panels = figure.layer_panels()
    return {"layout": layout_to_json(spec), **({"layer_panels": panels} if any(p is not None for p in panels) else {})}
