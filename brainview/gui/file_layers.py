"""The layers :func:`brainview.gui.files.open_files` builds for each role, from the file's path.

Each layer is built from the file's path (the layer reads the file), the kind
chosen by the registry for the role (:func:`brainview.layers.registry.kind_for_role`).

Examples
--------
>>> import numpy as np
>>> anatomy_layer((np.arange(27.0).reshape(3, 3, 3), np.eye(4)), None, "anat", None).kind
'slices'
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ImageLoadError

from .file_roles import fit_table, template_note
from .file_types import count_volumes, header_image
from .label_tables import file_stem as _stem
from .label_tables import label_table_beside, read_label_table


def anatomy_layer(img, volume, name, cmap):
    """Anatomy: grey slices, see-through below 5% of the bright tissue."""
    from ..layers.registry import kind_for_role

    slices_model = kind_for_role("anatomy").model  # the kind the registry opens this role as
    layer = slices_model(img, cmap=cmap or "gray", volume=volume, name=name)
    # Opaque planes over a head's field of view hide each other with black
    # padding: anatomy planes are see-through below 5% of the bright tissue.
    # (The default range is the robust range of the data the layer has read.)
    high = layer.clim[1]
    if high > 0:
        layer.clim = (0.05 * high, high)
        layer.transparent_below = True
    return layer


def map_layer(path, volume, choices):
    """A statistical map with the command's ``--cmap``/``--threshold``."""
    from ..layers.registry import kind_for_role

    statmap_model = kind_for_role("map").model  # the kind the registry opens this role as
    # Only what the user chose: the layer's own defaults stay in one place.
    chosen = {key: getattr(choices, key) for key in ("cmap", "threshold")
              if getattr(choices, key) is not None}
    if template_note(path):  # not over the MNI brain: its glass brain would be framed too, the map a speck
        chosen["outline"] = False
    return statmap_model(path, volume=volume, name=_stem(path.name), **chosen)


def atlas_layer(path, volume, labels, notes):
    """A label or probabilistic atlas, named from a label table when it matches the image (else a note)."""
    from ..layers.registry import kind_for_role

    atlas_model = kind_for_role("atlas").model  # the kind the registry opens this role as
    table = Path(labels) if labels is not None else label_table_beside(path)
    names = read_label_table(table) if table is not None else {}
    atlas = path if volume is None else one_volume_image(path, volume)
    n_volumes = 1 if volume is not None else count_volumes(path, header_image(path))
    if "lut" in names and n_volumes > 1 and names["lut"]["index"] == list(range(n_volumes)):
        # A table of the maps, from 0: the atlas's label values (region k is map k - 1) start at 1.
        names = {"lut": {**names["lut"], "index": [i + 1 for i in names["lut"]["index"]]}}
    layer = atlas_model(atlas, name=_stem(path.name), **names)
    if table is not None:
        fit_table(layer, names, f"'{path.name}'", table, notes, chosen=labels is not None)
    return layer


def one_volume_image(path, volume):
    """One volume of a 4-D atlas file (``--volume``): Atlas takes no volume.

    The image remembers its file and volume, so sessions and exported scripts
    reference the file (path + SHA-256) and the volume instead of copying the data.
    """
    from ..io import load_image

    return load_image(path, volume=volume, name=f"'{path.name}'")


def surface_layer(path, overlay):
    """A surface with its per-vertex overlay."""
    from ..layers.registry import kind_for_role

    surface_model = kind_for_role("surface").model  # the kind the registry opens this role as
    return surface_model(path, overlay, name=_stem(path.name))


def streamlines_layer(path):
    """A tractogram, named after the file."""
    from ..io.tractography_files import TRACTOGRAM_SUFFIXES
    from ..layers.registry import kind_for_role

    try:
        streamlines_model = kind_for_role("streamlines").model  # the kind the registry opens this role as
    except KeyError:
        raise ImageLoadError(f"'{path}': a tractogram, but this brainview has no streamlines layer "
                             "to draw it.") from None
    suffix = next(s for s in sorted(TRACTOGRAM_SUFFIXES, key=len, reverse=True)
                  if path.name.lower().endswith(s))
    return streamlines_model(path, name=path.name[: -len(suffix)])

