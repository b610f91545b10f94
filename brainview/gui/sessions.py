"""What a saved session keeps of the window itself: its layout, the lightbox's slices, the selection.

A session is a scene file (:mod:`brainview.export.scene_file`): the figure,
its layers referencing the opened files by path and SHA-256. The window adds
its own settings under the scene's ``"app"`` entry (a figure loaded by a
script ignores them): :func:`window_settings` reads them from the window,
:func:`apply_window_settings` sets them again through the window's own
controls. A value the window cannot take (a hand-edited or foreign file) is
skipped and said in the returned notes, never raised: the session opens.

Examples
--------
>>> check_settings({"layout": "lightbox", "lightbox": {"axis": "coronal", "slices": 6}})
({'layout': 'lightbox', 'lightbox': {'axis': 'coronal', 'slices': 6}}, [])
>>> check_settings({"layout": "upside-down", "lightbox": {"slices": "many"}})[1]  # doctest: +NORMALIZE_WHITESPACE
["session: layout 'upside-down' is not one of '3d', '2d', '1+3', 'lightbox'; kept the current one.",
 "session: lightbox slices 'many' is not a whole number; kept the current one."]
"""

from __future__ import annotations

import numbers

__all__ = ["LAYOUTS", "window_settings", "check_settings", "apply_window_settings"]

#: The window's layouts (:attr:`brainview.gui.window.MainWindow.LAYOUTS`), without importing the window.
LAYOUTS = ("3d", "2d", "1+3", "lightbox")
#: The lightbox's settings and the type each must have (``spacing`` in mm, 0: even).
_LIGHTBOX = {"axis": str, "slices": numbers.Integral, "spacing": numbers.Real, "columns": numbers.Integral}
_WHAT = {str: "a name", numbers.Integral: "a whole number", numbers.Real: "a number"}


def window_settings(window):
    """The window's settings a session keeps (plain JSON values).

    ``{"layout", "lightbox", "radiological", "selected"}``: the central layout,
    the lightbox's :meth:`~brainview.gui.lightbox.LightboxView.settings`, whether
    the 2-D views and the lightbox are radiological, the selected layer's index.
    """
    layers = list(window.figure.layers)
    selected = window.selected_layer
    return {"layout": window.current_layout, "lightbox": window.lightbox.settings(),
            "radiological": window.ortho.location.radiological.isChecked(),
            "selected": layers.index(selected) if selected in layers else None}


def check_settings(settings):
    """``(settings the window can take, notes on those it cannot)``, read from a session's ``"app"`` entry."""
    kept, notes = {}, []
    layout = settings.get("layout")
    if layout is not None:
        if layout in LAYOUTS:
            kept["layout"] = layout
        else:
            notes.append(f"session: layout {layout!r} is not one of {', '.join(map(repr, LAYOUTS))}; "
                         "kept the current one.")
    lightbox = settings.get("lightbox")
    if isinstance(lightbox, dict):
        good = {}
        for name, kind in _LIGHTBOX.items():
            value = lightbox.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, kind):
                notes.append(f"session: lightbox {name} {value!r} is not {_WHAT[kind]}; kept the current one.")
            else:
                good[name] = value
        if good:
            kept["lightbox"] = good
    if isinstance(settings.get("radiological"), bool):
        kept["radiological"] = settings["radiological"]
    selected = settings.get("selected")
    if isinstance(selected, int) and not isinstance(selected, bool):
        kept["selected"] = selected
    return kept, notes


def apply_window_settings(window, settings):
    """Set a session's window settings through the window's controls; the notes say what was skipped.

    Parameters
    ----------
    window : MainWindow
    settings : dict
        A session's ``"app"`` entry (:func:`brainview.export.scene_file.scene_app_settings`).

    Returns
    -------
    list of str
    """
    from ..errors import BrainviewValueError

    kept, notes = check_settings(settings)
    for key, value in kept.get("lightbox", {}).items():  # one by one: a bad one leaves the others
        try:
            window.lightbox.configure(**{key: float(value) if key == "spacing" else int(value)
                                         if key != "axis" else value})
        except BrainviewValueError as error:
            notes.append(f"session: lightbox {error}")
    if "radiological" in kept:
        window.ortho.location.radiological.setChecked(kept["radiological"])  # the lightbox follows it
    if "layout" in kept:
        window.set_layout(kept["layout"])
    layers = list(window.figure.layers)
    if 0 <= kept.get("selected", -1) < len(layers):
        window.select_layer(layers[kept["selected"]])
    return notes
