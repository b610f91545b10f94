"""A role for every file: the guess, why, and the user's choice (no Qt here).

A file opened in the app or given to the ``brainview`` command is one of
:data:`ROLES`. :func:`guess_role` says which, with the reasons, and whether
the guess is uncertain (read from the values alone), in which case the app
asks (:mod:`brainview.gui.roles`). The ``brainview`` command names the role
and the layer's options after the file (:func:`parse_file_arg`):
``zmap.nii.gz:map:threshold=3.1``.

Beyond the rules of :func:`brainview.gui.files.volume_role`:

- several volumes of values in [0, 1] with a label table beside them (or an
  atlas name) are a probabilistic atlas;
- values 0 and 1 only are a mask (ROI), drawn as a filled outline;
- floating-point data with a few small negative values among mostly
  positive, dense ones is an anatomy (noise of an MP2RAGE or a bias-corrected
  scan), not a statistical map.

Examples
--------
>>> import os, tempfile
>>> import nibabel as nib, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "image.nii.gz")
>>> roi = np.zeros((6, 6, 6), np.float32); roi[2:4, 2:4, 2:4] = 1
>>> nib.save(nib.Nifti1Image(roi, np.eye(4)), path)
>>> guess = guess_role(path)
>>> guess.role, guess.uncertain
('mask', False)
>>> parse_file_arg("zmap.nii.gz:map:threshold=3.1")
FileArg(path=PosixPath('zmap.nii.gz'), role='map', options={'threshold': 3.1})
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BrainviewValueError

__all__ = ["ROLES", "RoleGuess", "FileArg", "guess_role", "guessed_role", "roles_for", "check_roles",
           "parse_file_arg", "apply_options", "fit_label_table", "fit_table", "mask_layer", "template_note"]

#: role -> what it is (in the order the chooser lists them).
ROLES = {
    "anatomy": "anatomy (grey slices)",
    "map": "statistical map",
    "atlas": "label atlas",
    "prob_atlas": "probabilistic atlas",
    "mask": "mask / ROI",
    "surface": "surface (mesh)",
    "overlay": "overlay (per-vertex data)",
    "streamlines": "streamlines",
    "scene": "scene (session)",
}

#: Names the command accepts for each role (``file:ROLE``).
ROLE_NAMES = {
    "anatomy": "anatomy", "anat": "anatomy", "t1": "anatomy",
    "map": "map", "stat": "map", "stat_map": "map", "statmap": "map",
    "atlas": "atlas", "labels": "atlas", "label": "atlas",
    "prob_atlas": "prob_atlas", "prob": "prob_atlas", "probatlas": "prob_atlas",
    "probabilistic": "prob_atlas",
    "mask": "mask", "roi": "mask",
    "surface": "surface", "surf": "surface", "mesh": "surface",
    "overlay": "overlay",
    "streamlines": "streamlines", "tracts": "streamlines", "tractogram": "streamlines",
    "scene": "scene", "session": "scene",
}

#: More distinct integer values than this in the sample: an anatomy for sure (an atlas has fewer labels).
_FEW_VALUES = 1000
_VOLUME_ROLES = ("anatomy", "map", "atlas", "prob_atlas", "mask")
_SCENE_SUFFIXES = (".bvscene", ".bvz")
_PROB_WORDS = ("prob", "probabilistic", "maxprob", "atlas", "labels", "parc", "parcellation")
#: The MNI152 brain's bounding box in mm (x, y, z low/high), for "is this over MNI space?".
_MNI_BOX = np.array([[-90.0, -126.0, -72.0], [91.0, 91.0, 109.0]])
#: Mask colour (a bright red-orange, visible over grey anatomy and over blue-red maps alike).
MASK_COLOR = (1.0, 0.35, 0.1)


@dataclass
class RoleGuess:
    """What :func:`guess_role` read from a file.

    Attributes
    ----------
    path : Path
    role : str
        One of :data:`ROLES`.
    reasons : list of str
        Why, in words for the user.
    uncertain : bool
        Read from the values alone: the app asks before opening.
    roles : tuple of str
        The roles this file can be given (a volume cannot be a surface).
    """

    path: Path
    role: str
    reasons: list = field(default_factory=list)
    uncertain: bool = False
    roles: tuple = ()

    @property
    def why(self):
        """The reasons as one sentence."""
        return "; ".join(self.reasons) + "."


@dataclass
class FileArg:
    """One ``FILE[:ROLE][:key=value...]`` argument of the command."""

    path: Path
    role: object = None
    options: dict = field(default_factory=dict)


def roles_for(kind):
    """The roles a file of ``kind`` (:func:`~brainview.gui.files.file_kind`) can have, with a layer to draw them.

    Examples
    --------
    >>> roles_for("volume")
    ('anatomy', 'map', 'atlas', 'prob_atlas', 'mask')
    >>> roles_for("surface_data")
    ('overlay',)
    """
    from ..layers.registry import kind_for_role

    def drawable(role):
        try:
            kind_for_role(role)
        except KeyError:
            return False
        return True

    if kind == "volume":
        return tuple(role for role in _VOLUME_ROLES if drawable(role))
    if kind == "surface_data":
        return ("overlay",)
    if kind == "scene":
        return ("scene",)
    return (kind,) if drawable(kind) else ()


def guess_role(path):
    """The role of a file, why, and whether the guess is uncertain.

    Parameters
    ----------
    path : path

    Returns
    -------
    RoleGuess

    Raises
    ------
    ImageLoadError
        The file is missing or not a format brainview reads.
    """
    from .file_types import file_kind

    path = Path(path)
    if path.name.lower().endswith(_SCENE_SUFFIXES):
        return RoleGuess(path, "scene", ["a brainview scene file (.bvscene/.bvz)"], roles=("scene",))
    kind = file_kind(path)
    if kind == "volume":
        return _volume_guess(path)
    why = {"surface": "a mesh (GIfTI point set or FreeSurfer triangle file)",
           "surface_data": "one value per vertex: drawn on the surface opened with it",
           "streamlines": "a tractogram (by its suffix)"}[kind]
    roles = roles_for(kind)
    return RoleGuess(path, roles[0] if roles else kind, [why], roles=roles)


def guessed_role(path, notes):
    """The guessed role of a volume; an uncertain guess is said, with why, in ``notes``."""
    guess = _volume_guess(Path(path))
    if guess.uncertain or guess.role == "mask":
        notes.append(f"'{guess.path.name}' opened as {ROLES[guess.role]}: {guess.why} "
                     f"Another role: File > Open with roles, or {guess.path.name}:ROLE in the command.")
    return guess.role


def check_roles(paths, kinds, chosen):
    """Refuse a chosen role that the file's kind cannot have (a surface as an atlas...).

    Raises
    ------
    BrainviewValueError
        Naming the file, the role and the roles it can have.
    """
    for path, kind in zip(paths, kinds):
        role = chosen.get(path)
        if role is None or role in roles_for(kind):
            continue
        if role not in ROLES:
            raise BrainviewValueError(f"role: '{path.name}': unknown role {role!r}; roles: {', '.join(ROLES)}.")
        raise BrainviewValueError(
            f"role: '{path.name}' is a {kind.replace('_', ' ')} file and cannot be opened as "
            f"{ROLES[role]}; it can be: {', '.join(roles_for(kind)) or 'nothing brainview draws'}.")


def _volume_guess(path):
    """The guess for a volume: the rules of :mod:`brainview.gui.files`, then those of this module."""
    from . import file_types as files

    img = files.header_image(path)
    n_volumes = files.count_volumes(path, img)
    read = functools.partial(files.first_volume, path)
    role = files.role_by_rules(path, img, None, read=read)
    why, uncertain = _base_reason(path, img, role)
    sample = files.sample_values(img, read())
    if role == "anatomy" and uncertain and files.integer_type(img):
        distinct = np.unique(sample).size
        if n_volumes > 1 or distinct > _FEW_VALUES:  # an atlas has few labels, and one volume
            what = f"{n_volumes} volumes" if n_volumes > 1 else f"{distinct}+ distinct values"
            why, uncertain = (f"integer data ({img.get_data_dtype()}), {what}, no label table: "
                              "an anatomy, not an atlas"), False
    reasons = [why] if why else []
    if n_volumes > 1 and _probabilities(sample) and role != "map" and _prob_evidence(path):
        role, uncertain = "prob_atlas", False
        reasons = [f"{n_volumes} volumes of values in [0, 1] with {_prob_evidence(path)}: "
                   "one probability map per region"]
    elif n_volumes > 1 and role == "atlas":
        role = "prob_atlas"
        reasons.append(f"{n_volumes} volumes: one map per region")
    elif n_volumes == 1 and role != "atlas" and _binary(sample):
        role, uncertain = "mask", False
        share = 100.0 * np.count_nonzero(sample) / sample.size
        reasons = [f"values only 0 and 1 ({share:.1f}% of the voxels are 1): a mask (ROI), drawn filled"]
    elif role == "map" and uncertain and _noisy_anatomy(sample):
        role = "anatomy"
        reasons = [f"its few negative values (down to {sample.min():.3g}) are small beside its values "
                   f"(up to {sample.max():.3g}) and most voxels are non-zero: an anatomy with noise, "
                   "not a statistical map"]
    if n_volumes > 1 and role in ("anatomy", "map") and "volumes" not in " ".join(reasons):
        reasons.append(f"{n_volumes} volumes (a series)")
    if not _over_mni(img):
        reasons.append("its field of view is not over the MNI brain (subject space)")
    return RoleGuess(path, role, reasons, uncertain=uncertain, roles=roles_for("volume"))


def _base_reason(path, img, role):
    """Why :func:`~brainview.gui.files.volume_role` said ``role``, and whether only the values said it."""
    from . import file_types as files
    from .label_tables import FREESURFER_SEGMENTATIONS, file_stem, label_table_beside

    intent = files.intent_code(img)
    if intent in files.ATLAS_INTENTS | files.MAP_INTENTS:
        return f"NIfTI intent code {intent} in the header", False
    stem = file_stem(path.name)
    words = files.name_words(stem)
    if FREESURFER_SEGMENTATIONS.match(stem) or "dseg" in words:
        return "a FreeSurfer segmentation or BIDS dseg name", False
    table = label_table_beside(path)
    if role == "atlas" and table is not None:
        return f"integer values with the label table '{table.name}' beside it", False
    for vocabulary, named_role in ((files.MAP_WORDS, "map"), (files.ATLAS_WORDS, "atlas"),
                                   (files.ANATOMY_WORDS, "anatomy")):
        if role == named_role and files.named_in(words, vocabulary):
            return f"its name ('{stem}') says {ROLES[role]}", False
    dtype = img.get_data_dtype()
    if role == "anatomy" and files.integer_type(img):
        return f"integer data ({dtype}) without a label table: anatomy, not an atlas", True
    if role == "map":
        return f"floating-point data ({dtype}) with negative values, or mostly zero (a thresholded map)", True
    return f"floating-point data ({dtype}), non-negative and dense", True


def _probabilities(sample):
    return sample.size > 0 and sample.min() >= 0 and 0 < sample.max() <= 1


def _prob_evidence(path):
    """What says a file of probabilities is an atlas: a table beside it or its name; '' if nothing."""
    from . import file_types as files
    from .label_tables import file_stem, label_table_beside

    table = label_table_beside(path)
    if table is not None:
        return f"the label table '{table.name}' beside it"
    return "an atlas name" if files.named_in(files.name_words(file_stem(path.name)), _PROB_WORDS) else ""


def _binary(sample):
    """Values 0 and 1 only, both present (an image of ones is a field of view, not an ROI)."""
    return (sample.size > 0 and bool(np.all((sample == 0) | (sample == 1)))
            and bool(np.any(sample == 1)) and bool(np.any(sample == 0)))


def _noisy_anatomy(sample):
    """Mostly non-zero, and the negative tail small beside the positive one."""
    if sample.size == 0 or np.count_nonzero(sample) < 0.5 * sample.size:
        return False
    low, high = np.percentile(sample, [1, 99])
    return high > 0 and low > -0.1 * high


def template_note(path):
    """What to say when the MNI152 template goes under a map that is not over the MNI brain; '' if it is.

    Examples
    --------
    >>> import os, tempfile
    >>> import nibabel as nib, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "zmap.nii")
    >>> affine = np.eye(4); affine[:3, 3] = 500
    >>> nib.save(nib.Nifti1Image(np.zeros((4, 4, 4), np.float32), affine), path)
    >>> template_note(path)  # doctest: +ELLIPSIS
    "'zmap.nii' is not over the MNI brain (subject space?): the MNI152 template drawn under it ..."
    """
    from .file_types import header_image

    path = Path(path)
    if _over_mni(header_image(path)):
        return ""
    return (f"'{path.name}' is not over the MNI brain (subject space?): the MNI152 template drawn under it "
            "will not line up; open it with its own anatomy.")


def _over_mni(img):
    """The image's field of view overlaps the MNI152 brain's bounding box."""
    shape = np.array(img.shape[:3]) - 1
    corners = np.array(np.meshgrid(*[(0, n) for n in shape], indexing="ij")).reshape(3, -1).T
    world = corners @ np.asarray(img.affine)[:3, :3].T + np.asarray(img.affine)[:3, 3]
    low, high = world.min(axis=0), world.max(axis=0)
    return bool(np.all(low <= _MNI_BOX[1]) and np.all(high >= _MNI_BOX[0]))


# ------------------------------------------------------------------ the command's FILE:ROLE:key=value


def parse_file_arg(text):
    """``FILE[:ROLE][:key=value...]``: the path, the role and the options (values as Python literals).

    A path that exists as given (a colon in its name) is taken whole.

    Raises
    ------
    BrainviewValueError
        An unknown role, or an option without ``=``.

    Examples
    --------
    >>> parse_file_arg("atlas.nii.gz:atlas:labels=lut.csv").options
    {'labels': 'lut.csv'}
    >>> parse_file_arg("roi.nii.gz:roi").role
    'mask'
    """
    text = str(text)
    parts = text.split(":")
    cut = next((i for i in range(len(parts), 0, -1) if Path(":".join(parts[:i])).exists()), 1)
    path, rest = Path(":".join(parts[:cut])), parts[cut:]
    role = None
    if rest and "=" not in rest[0]:
        name = rest.pop(0)
        role = ROLE_NAMES.get(name.lower())
        if role is None:
            raise BrainviewValueError(
                f"role: '{text}': unknown role {name!r}; roles: {', '.join(sorted(ROLE_NAMES))}.")
    options = {}
    for item in rest:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise BrainviewValueError(f"options: '{text}': {item!r} is not key=value "
                                      "(e.g. zmap.nii.gz:map:threshold=3.1).")
        options[key.strip()] = _literal(value.strip())
    return FileArg(path, role, options)


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def apply_options(layer, options, path, *, notes=None):
    """Set a file's options on its layer, each checked by the layer's own trait.

    Raises
    ------
    BrainviewValueError
        A key the layer has not (naming the valid ones), or a value its trait refuses.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import StatMap
    >>> layer = StatMap((np.ones((3, 3, 3)), np.eye(4)))
    >>> apply_options(layer, {"threshold": 0.5}, "zmap.nii.gz").threshold
    0.5
    >>> apply_options(layer, {"treshold": 0.5}, "zmap.nii.gz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: treshold: 'zmap.nii.gz': unknown option for a stat_map; valid: ...
    """
    if not options:
        return layer
    valid = _option_names(layer)
    for key in options:
        if key not in valid:
            raise BrainviewValueError(f"{key}: '{Path(path).name}': unknown option for a {layer.kind}; "
                                      f"valid: {', '.join(valid)}.")
    options = {key: _colour_file(key, value) for key, value in options.items()}
    table = options.get("labels") if layer.kind == "atlas" else None
    if isinstance(table, (str, Path)):  # a label table file: read, and checked against the regions
        from .label_tables import read_label_table

        names = fit_table(layer, read_label_table(table), f"'{Path(path).name}'", Path(table), notes,
                          chosen=True, apply=False)
        del options["labels"]
        options.update({"lut": None, "labels": None, **names})
    try:
        layer.trait_set(**options)
    except BrainviewValueError:
        raise
    except Exception as error:  # a TraitError: the trait's own message
        raise BrainviewValueError(f"options: '{Path(path).name}': {error}") from error
    return layer


#: Options whose text may name a colour file (an image's ``cmap``, an atlas's ``colors``).
_COLOUR_FILE_OPTIONS = ("cmap", "colors")


def _colour_file(key, value):
    """A colour file named as text (``colors=regions.lut``) as a Path: sessions and scripts then
    reference it by path and SHA-256, as a file chosen in the panel (text would stay a bare name)."""
    if key in _COLOUR_FILE_OPTIONS and isinstance(value, str) and Path(value).suffix and Path(value).is_file():
        return Path(value)
    return value


def _option_names(layer):
    """The layer's parameters a file option may set: all but the data it was built from."""
    import inspect

    data = next(iter(inspect.signature(type(layer)).parameters))
    return sorted(key for key in layer.get_params() if key != data)


# ------------------------------------------------------------------ label tables and masks


def fit_label_table(names, label_values, n_volumes):
    """The table's names fitted to an atlas's labels, or None when they do not match (and why).

    A 4-D table numbered from 0 names map k by row k (label k + 1).

    Returns
    -------
    (dict or None, str)
        ``names`` (possibly renumbered) and ``""``, or None and the reason.

    Examples
    --------
    >>> fit_label_table({"lut": {"index": [0, 1], "name": ["a", "b"]}}, [1, 2], 2)[0]["lut"]["index"]
    [1, 2]
    >>> fit_label_table({"lut": {"index": [7], "name": ["a"]}}, [1, 2], 1)[1]
    'it names labels 7; the image holds labels 1, 2'
    """
    labels = [int(value) for value in label_values]
    if "lut" not in names:
        count = len(names["labels"])
        if count in (len(labels), len(labels) + 1):  # plain names, optionally with the background
            return names, ""
        return None, f"it holds {count} names for {len(labels)} regions"
    index = list(names["lut"]["index"])
    if n_volumes > 1 and index == list(range(n_volumes)):
        names = {"lut": {**names["lut"], "index": [i + 1 for i in index]}}
        index = names["lut"]["index"]
    missing = sorted(set(labels) - set(index))
    if not missing:
        return names, ""
    return None, (f"it names labels {_short(index)}; the image holds labels {_short(labels)}")


def fit_table(layer, names, where, table, notes, *, chosen, apply=True):
    """Check an atlas layer's label table against its regions and say so in ``notes``.

    A table found beside the file that does not match is dropped from the layer;
    one the user named is kept (with the note).
    """
    n_volumes = len(layer.label_values) if layer.probabilistic else 1
    fitted, why = fit_label_table(names, layer.label_values, n_volumes)
    notes = [] if notes is None else notes
    if fitted is not None:
        notes.append(f"{where}: region names from '{table.name}'.")
        return fitted
    if chosen:
        notes.append(f"{where}: the label table '{table.name}' does not match the image ({why}); "
                     "used as given.")
        return names
    notes.append(f"{where}: the label table '{table.name}' beside it was ignored: {why}. "
                 "Name the right one with labels=FILE.")
    if apply:
        layer.trait_set(lut=None, labels=None)
    return None


def _short(values, most=6):
    values = sorted(set(int(v) for v in values))
    text = ", ".join(str(v) for v in values[:most])
    return text + (f"... ({len(values)} in all)" if len(values) > most else "")


def mask_layer(path, volume):
    """A mask (ROI) file as a filled outline at 0.5, in :data:`MASK_COLOR`: never an all-black picture.

    Examples
    --------
    >>> import numpy as np
    >>> roi = np.zeros((6, 6, 6)); roi[2:4, 2:4, 2:4] = 1
    >>> layer = mask_layer((roi, np.eye(4)), None)
    >>> layer.kind, [float(level) for level in layer.level_values]
    ('contour', [0.5])
    """
    from ..layers.registry import kind_for_role
    from .label_tables import file_stem

    model = kind_for_role("mask").model  # the kind the registry opens this role as
    name = file_stem(Path(path).name) if isinstance(path, (str, Path)) else "mask"
    return model(path, level=0.5, color=MASK_COLOR, volume=volume, name=name)
