"""Colour files chosen in the property panel: the file dialog, and how a file's colour map is shown.

The colour-map combo box (:class:`brainview.gui.editors.CmapEditor`) ends
with a "Colour file…" entry: it opens :func:`choose_colour_file`, and the
layer's ``cmap`` is set to the chosen ``pathlib.Path`` (a scene file keeps
it as a file reference with its SHA-256). A colour map read from a file is
named by its path (:func:`brainview.io.lut_files.read_colormap_file`):
:func:`file_of` tells it from a named colour map, so that the combo shows the
file's name and swatch.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5 import QtWidgets

from ..io.lut_files import COLORMAP_SUFFIXES, is_colormap_path

__all__ = ["CHOOSE_FILE", "COLOUR_FILE_FILTER", "REGION_FILE_FILTER", "choose_colour_file",
           "choose_region_file", "file_of"]

#: The item data of the combo's "Colour file…" entry (no colour map has this name).
CHOOSE_FILE = "<choose a colour file>"

#: The file dialog's filter: FSL ``.cmap``/``.lut``, FreeSurfer LUTs, RGB tables.
COLOUR_FILE_FILTER = (f"Colour maps and lookup tables ({' '.join('*' + s for s in COLORMAP_SUFFIXES)});;"
                      "All files (*)")

#: The file dialog's filter for an atlas's region colours (``colors=``): label tables of any kind.
REGION_FILE_FILTER = ("Label tables: FSLeyes .lut, FreeSurfer ColorLUT .txt, CSV/TSV tables "
                      "(*.lut *.txt *.tsv *.csv *.ctab);;All files (*)")


def choose_colour_file(parent, name):
    """The colour file the user chooses for the trait ``name`` (a ``Path``), None when cancelled."""
    path, _ = QtWidgets.QFileDialog.getOpenFileName(parent, f"Choose a colour file for {name}", "",
                                                    COLOUR_FILE_FILTER)
    return Path(path) if path else None


def file_of(cmap):
    """The path (text) a colour map was read from, None for a named or in-memory colour map.

    Examples
    --------
    >>> import matplotlib
    >>> from matplotlib.colors import ListedColormap
    >>> file_of(matplotlib.colormaps["hot"]), file_of(ListedColormap([[0, 0, 0]], name="/data/x.lut"))
    (None, '/data/x.lut')
    """
    import matplotlib

    name = getattr(cmap, "name", None)
    if isinstance(name, str) and name not in matplotlib.colormaps and is_colormap_path(name):
        return name
    return None


def choose_region_file(parent, name):
    """The label table the user chooses to recolour an atlas's regions (a ``Path``), None when cancelled."""
    path, _ = QtWidgets.QFileDialog.getOpenFileName(parent, f"Choose a label table for {name}", "",
                                                    REGION_FILE_FILTER)
    return Path(path) if path else None
