"""Scene files: a figure as versioned JSON plus references to its data, never pickle.

A scene file (``.bvscene``) holds ``"format": "brainview.scene"``, a
``"version"``, the brainview and VTK versions that wrote it, the figure (size,
background, camera pose), its layers (kind, parameters as given, settings
changed since), its annotations (title, texts, colour bars) and, from the
desktop app, the window's own settings under ``"app"`` (layout, lightbox;
:func:`scene_app_settings`; a figure loaded from the file ignores them). Data is
referenced, not copied: a path given by the user is stored relative to the
scene file with its SHA-256 and size; data returned by a
:mod:`brainview.datasets` loader as the loader call; in-memory arrays and
images go to sidecar files in ``<scene>_data/`` (``.npy``, ``.nii.gz``). A
``.bvz`` file is the same in one zip archive, the user's files copied in.

Loading never executes code and never unpickles; it refuses an unknown
format, a future version and a data file whose content changed, naming the
file and both hashes. :data:`MIGRATIONS` holds one function per version bump.

Examples
--------
>>> import numpy as np, tempfile, os
>>> import brainview as bv
>>> fig = bv.figure(size=(64, 48))
>>> p = bv.points([[0, 0, 0], [10, 0, 0]], size=3, color="red")
>>> path = os.path.join(tempfile.mkdtemp(), "two.bvscene")
>>> save_scene(fig, path)
>>> fig2 = load_scene(path)
>>> [layer.kind for layer in fig2.layers], fig2.size
(['points'], (64, 48))
>>> bv.close("all"); fig2.close()
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from ..errors import SceneFileError, describe
from . import _scene_guard as _guard
from ._encoding import decode
from .recipe import EMBEDDING_FORMATS, embedded_scene
from .scene_writer import FORMAT, VERSION, data_file_writer, layer_dict, save_scene, scene_dict

__all__ = ["FORMAT", "VERSION", "MIGRATIONS", "SceneFileError", "SceneTemplate", "save_scene", "load_scene",
           "scene_dict", "layer_dict", "figure_from_dict", "populate", "data_file_writer", "scene_references",
           "scene_app_settings"]

#: ``{from_version: function(dict) -> dict of from_version + 1}``; empty while only version 1 exists.
MIGRATIONS = {}
#: A scene JSON larger than this is not a scene file (arrays go to sidecars, never inline).
MAX_JSON_BYTES = _guard.MAX_JSON_BYTES


# ------------------------------------------------------------------- loading


def load_scene(path, *, allow_outside=False):
    """Rebuild the figure a scene file describes (a new, off-screen :class:`Figure`).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.bvscene`` file (JSON; its data files where it says) or a
        ``.bvz`` file (one zip archive, read member by member), or a PNG or
        TIFF image brainview wrote, which carries its scene
        (:mod:`brainview.export.recipe`). The suffix decides: a ``.bvscene``
        is read as JSON only, whatever it holds.
    allow_outside : bool
        Let a ``.bvscene`` read data files outside its own folder (after
        following links): for a scene you saved yourself with its data in a
        parent folder (``../data/sub-01/zmap.nii.gz``). Default False: a scene
        from someone else cannot make brainview read, or tell anything about,
        other files. :func:`scene_references` lists what a scene reads. A
        ``.bvz`` is self-contained whatever this says.

    Raises
    ------
    SceneFileError
        The file is not a brainview scene, is of a future version, is
        malformed, asks for what brainview refuses (a reference outside its
        folder, a special file, an absurd size or camera), or one of its data
        files is missing or has changed.

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> path = os.path.join(tempfile.mkdtemp(), "s.bvz")
    >>> save_scene(fig, path)
    >>> load_scene(path).layers[0].kind
    'points'
    >>> bv.close("all")
    """
    path = Path(path)
    _guard.check_scene_path(path)
    if path.suffix.lower() == ".bvz":
        return _load_archive(path)
    if path.suffix.lower() in EMBEDDING_FORMATS:
        scene, references = embedded_scene(path, allow_outside=allow_outside)
        with tempfile.TemporaryDirectory() as scratch:
            return figure_from_dict(migrate(scene, path), resolve=references(scratch), where=f"'{path}'")
    scene = migrate(_guard.read_json(path, path), path)
    resolve = _guard.FolderReferences(path.parent, allow_outside=allow_outside)
    return figure_from_dict(scene, resolve=resolve, where=f"'{path}'")


def scene_references(path, *, outside_only=False):
    """The data files a ``.bvscene`` reads, resolved (links followed), without reading them.

    Parameters
    ----------
    path : str or pathlib.Path
    outside_only : bool
        Only those outside the scene's folder (what ``allow_outside=True`` lets it read).

    Returns
    -------
    list of pathlib.Path
        Empty for a ``.bvz`` archive (it reads its own members only).

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> path = os.path.join(tempfile.mkdtemp(), "s.bvscene"); save_scene(fig, path); fig.close()
    >>> scene_references(path)
    []
    """
    path = Path(path)
    _guard.check_scene_path(path)
    if path.suffix.lower() == ".bvz":
        return []
    embedded = path.suffix.lower() in EMBEDDING_FORMATS
    scene = embedded_scene(path)[0] if embedded else _guard.read_json(path, path)
    references = _guard.FolderReferences(path.parent, allow_outside=True)
    found = []
    for record in _guard.file_records(scene):
        if embedded and record.get("role") != "input":
            continue  # inside the image
        target, inside = references.target(record, f"'{path}'")
        if not (outside_only and inside) and target not in found:
            found.append(target)
    return found


def scene_app_settings(path):
    """The desktop app's settings a scene file keeps (``save_scene(..., app=...)``); ``{}`` when none.

    Reads the scene's JSON only (capped as :func:`load_scene` caps it), no data file.

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> path = os.path.join(tempfile.mkdtemp(), "s.bvscene")
    >>> save_scene(fig, path, app={"layout": "lightbox"}); fig.close()
    >>> scene_app_settings(path)
    {'layout': 'lightbox'}
    """
    path = Path(path)
    _guard.check_scene_path(path)
    if path.suffix.lower() == ".bvz":
        try:
            with zipfile.ZipFile(path) as archive:
                raw = _guard.read_member(archive, "scene.bvscene", f"'{path}'", limit=MAX_JSON_BYTES)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise SceneFileError(f"'{path}': not a .bvz archive ({error}).") from None
        scene = _guard.parse_json(raw, path)
    elif path.suffix.lower() in EMBEDDING_FORMATS:
        scene = embedded_scene(path)[0]
    else:
        scene = _guard.read_json(path, path)
    settings = scene.get("app") if isinstance(scene, dict) else None
    return settings if isinstance(settings, dict) else {}


def _load_archive(path):
    """A ``.bvz``: its scene JSON (capped before reading) and only the members it references."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise SceneFileError(f"'{path}': not a .bvz archive ({error}).") from None
    with archive, tempfile.TemporaryDirectory() as folder:
        raw = _guard.read_member(archive, "scene.bvscene", f"'{path}'", limit=MAX_JSON_BYTES)
        scene = migrate(_guard.parse_json(raw, path), path)
        resolve = _guard.ArchiveReferences(archive, folder)
        return figure_from_dict(scene, resolve=resolve, where=f"'{path}'")


def migrate(scene, shown_as):
    """``scene`` brought to :data:`VERSION`, else a SceneFileError (not a scene, a future version)."""
    if not isinstance(scene, dict) or scene.get("format") != FORMAT:
        found = scene.get("format") if isinstance(scene, dict) else type(scene).__name__
        raise SceneFileError(f"'{shown_as}': not a brainview scene file (format {found!r}, expected {FORMAT!r}).")
    version = scene.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SceneFileError(f"'{shown_as}': bad scene version {version!r}.")
    if version > VERSION:
        raise SceneFileError(
            f"'{shown_as}': scene version {version} was written by a newer brainview "
            f"({scene.get('brainview', '?')}); this brainview reads versions up to {VERSION}. Upgrade brainview."
        )
    while version < VERSION:
        scene = MIGRATIONS[version](scene)
        version += 1
    return scene


def figure_from_dict(scene, *, resolve, where="scene"):
    """Build a figure from a scene dict (already migrated to :data:`VERSION`)."""
    from ..scene import Figure

    try:
        settings = scene["figure"]
        size = _guard.check_figure_size(settings["size"], where)
        from ..render.layout import layout_from_json

        figure = Figure(size=size, bgcolor=tuple(settings["bgcolor"]), antialias=settings["antialias"],
                        **layout_from_json(settings.get("layout")))
    except (KeyError, TypeError) as error:
        raise SceneFileError(f"{where}: bad or missing 'figure' entry ({error!r}).") from None
    except ValueError as error:
        raise SceneFileError(f"{where}: bad 'figure' entry ({error}).") from None
    try:
        populate(figure, scene, resolve=resolve, where=where)
        for layer, panel in zip(figure.layers, settings.get("layer_panels") or []):
            if panel is not None:
                figure.show_in_panel(layer, panel)
    except BaseException:
        figure.close()
        raise
    return figure


def populate(figure, scene, *, resolve, where="scene", replacements=None):
    """Add a scene dict's layers, camera, annotations and colour bars to ``figure``.

    Parameters
    ----------
    replacements : dict, optional
        ``{layer: data}``: the named layers get this data in place of their
        first data parameter (batch rendering of a template); a layer is
        named by its name, its kind when only one layer has it, or ``layerN``.
    """
    from traits.api import TraitError

    entries = _list(scene, "layers", where)
    swaps = _replacement_indices(entries, replacements or {}, where)
    try:
        built = {}
        for index, entry in enumerate(entries):
            layer = _build_layer(figure, entry, f"{where}, layer {index}", resolve, built, swaps.get(index, _NO))
            built[layer.name] = layer
        camera = {key: tuple(value) if isinstance(value, list) else value
                  for key, value in _mapping(scene, "camera", where).items()}
        _guard.check_camera(camera, where)
        figure.camera = camera
        figure.set_annotations(_guard.check_annotations(scene.get("annotations", []), where))
        for bar in _list(scene, "colorbars", where):
            figure.colorbar(figure.layers[bar["layer"]], title=bar.get("title"), n_labels=bar.get("n_labels"),
                            format=bar.get("format"))
    except SceneFileError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, TraitError) as error:
        raise SceneFileError(f"{where}: {error}") from None
    except RecursionError:
        raise SceneFileError(f"{where}: values nested too deeply.") from None


#: No replacement for a layer's data.
_NO = object()


def _build_layer(figure, entry, place, resolve, built, replacement):
    """Add one layer of a scene: its parameters decoded, then its later settings, checked by name."""
    from ..layers.registry import layer_class

    if not isinstance(entry, dict):
        raise SceneFileError(f"{place}: expected an object, got {describe(entry)}.")
    cls = layer_class(entry.get("kind"), where=place)
    replaced = cls.data_params[0] if replacement is not _NO else None
    params = {name: decode(value, resolve=resolve, layers=built, where=f"{place}, {name}")
              for name, value in _mapping(entry, "params", place).items() if name != replaced}
    if replaced is not None:
        params[replaced] = replacement  # the template's own data is not read
    layer = figure.add(cls(**params))
    for name, value in _mapping(entry, "state", place).items():
        trait = layer.trait(name) if not name.startswith("_") else None
        if trait is None or not layer.editable_trait(name) or trait.type == "event":
            raise SceneFileError(
                f"{place}: state {describe(name)} is not a setting of a {cls.__name__} layer; "
                "a scene may set only public settings (those its get_state() returns)."
            )
        setattr(layer, name, decode(value, resolve=None, where=f"{place}, {name}"))
    return layer


def _replacement_indices(entries, replacements, where):
    """``{layer index: data}`` for ``{layer name, unique kind or "layerN": data}``."""
    kinds = [entry.get("kind") if isinstance(entry, dict) else None for entry in entries]
    found = {}
    for key, data in replacements.items():
        matches = [i for i, entry in enumerate(entries)
                   if isinstance(entry, dict) and (entry.get("name") == key or key == f"layer{i}")]
        if not matches and kinds.count(key) == 1:
            matches = [kinds.index(key)]
        if len(matches) != 1:
            names = [f"{entry.get('name')!r} ({entry.get('kind')})" for entry in entries if isinstance(entry, dict)]
            raise SceneFileError(
                f"{where}: no single layer named {key!r} to replace; the scene's layers are {', '.join(names)} "
                "(name a layer, a kind the scene has once, or layer0, layer1...)."
            )
        found[matches[0]] = data
    return found


class SceneTemplate:
    """A scene file as a recipe: ``template.build(figure, replacements)`` builds it into a figure.

    Used by ``brainview batch``: each worker process builds the template with
    one layer's data replaced (camera, thresholds and every other setting
    kept). Picklable: it holds the scene's JSON and its folder, so the
    workers need the scene's data files at the same paths.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.bvscene`` file (a ``.bvz`` archive is refused: save the template as ``.bvscene``).
    allow_outside : bool
        Let the template read data files outside its folder. Default False:
        a template is self-contained, as :func:`load_scene` explains; its
        references are checked here, once, not per item.

    Examples
    --------
    >>> import tempfile, os, numpy as np, brainview as bv
    >>> fig = bv.figure(size=(40, 30)); _ = bv.points([[0, 0, 0]], name="dots")
    >>> path = os.path.join(tempfile.mkdtemp(), "t.bvscene"); save_scene(fig, path); bv.close("all")
    >>> template = SceneTemplate(path)
    >>> template.figure_options["size"]
    (40, 30)
    >>> fig = bv.figure(**template.figure_options)
    >>> template.build(fig, {"dots": np.array([[5.0, 0, 0]])})
    >>> fig.layers[0].get_params()["coords"].tolist()
    [[5.0, 0.0, 0.0]]
    >>> bv.close("all")
    """

    def __init__(self, path, *, allow_outside=False):
        path = Path(path)
        _guard.check_scene_path(path)
        if path.suffix.lower() == ".bvz":
            raise SceneFileError(f"'{path}': use a .bvscene file (with its data folder) as a batch template.")
        self.path = path.resolve()
        self.allow_outside = bool(allow_outside)
        self.scene = migrate(_guard.read_json(path, path), path)
        settings = self.scene.get("figure")
        try:
            self.figure_options = {"size": _guard.check_figure_size(settings["size"], f"'{path}'"),
                                   "bgcolor": tuple(settings["bgcolor"]),
                                   "antialias": bool(settings["antialias"])}
        except (KeyError, TypeError) as error:
            raise SceneFileError(f"'{path}': bad or missing 'figure' entry ({error!r}).") from None

    def _resolver(self):
        return _guard.FolderReferences(self.path.parent, allow_outside=self.allow_outside)

    def check_layer(self, name):
        """Check the template once for a batch replacing layer ``name``'s data.

        Raises a :class:`SceneFileError` listing the layers unless ``name``
        picks exactly one, or when a data file the builds will read (every
        one but the replaced layer's own data) is refused or has changed.
        """
        from ..layers.registry import layer_class

        entries = _list(self.scene, "layers", f"'{self.path}'")
        (index, _), = _replacement_indices(entries, {name: None}, f"'{self.path}'").items()
        place = f"'{self.path}', layer {index}"
        replaced = layer_class(entries[index].get("kind"), where=place).data_params[0]
        params = dict(_mapping(entries[index], "params", place))
        params.pop(replaced, None)
        others = [entry for i, entry in enumerate(entries) if i != index]
        resolve = self._resolver()
        for record in _guard.file_records([others, params]):
            resolve(record, f"'{self.path}', data reference")

    def build(self, figure, replacements):
        """Add the scene's layers to ``figure`` with ``{layer name: data}`` replaced; set its camera."""
        populate(figure, self.scene, resolve=self._resolver(), where=f"'{self.path}'",
                 replacements=replacements)


def _list(scene, key, where):
    value = scene.get(key, [])
    if not isinstance(value, list):
        raise SceneFileError(f"{where}: '{key}' must be a list, got {describe(value)}.")
    return value


def _mapping(scene, key, where):
    value = scene.get(key, {})
    if not isinstance(value, dict):
        raise SceneFileError(f"{where}: '{key}' must be an object, got {describe(value)}.")
    return value
