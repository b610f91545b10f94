"""The Layer menu and the layer list's context menu: add a view of an image, change a file's role.

Mayavi's "add module": a loaded image gets another view of the SAME source
(the same file path, or the same in-memory image object: nothing is copied)
as a contour, a volume rendering, slices or a statistical map, added as a
new layer and selected. A saved session and an exported script then name
the file once per layer. "Change role…" opens the role chooser for the
selected layer's file, preset to the role it was opened as; another role
replaces the layer, at the same place in the list, by the layer that role
opens. Both build the new layer in the window's loader (a worker thread:
the file is read and sliced there), then add it on the GUI thread.

:class:`LayerActions` is a mixin of :class:`~brainview.gui.actions.WindowActions`.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> layer = Slices((np.arange(64.0).reshape(4, 4, 4), np.eye(4)), name="anat")
>>> view = view_of(layer, "contour")
>>> view.kind, view.name, view.get_params()["img"] is layer.get_params()["img"]
('contour', 'anat (contour)', True)
>>> role_of(layer)
'anatomy'
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from PyQt5 import QtCore, QtWidgets

from ..errors import BrainviewTypeError
from .guards import guarded

__all__ = ["VIEW_KINDS", "LayerActions", "image_source", "view_of", "role_of", "file_of"]

#: The views "Add view of this image" offers: kind -> menu text.
VIEW_KINDS = {"contour": "Contour", "volume": "Volume rendering", "slices": "Slices",
              "stat_map": "Statistical map"}
#: Kinds whose first data parameter is a scalar image another view can show.
_IMAGE_KINDS = {"slices": "img", "stat_map": "img", "contour": "img", "volume": "img", "atlas": "atlas"}


def image_source(layer):
    """The image a layer shows, as given (a path, a nibabel image, ``(array, affine)``...); None if none."""
    param = _IMAGE_KINDS.get(getattr(layer, "kind", None))
    return None if param is None else layer.get_params().get(param)


def view_of(layer, kind):
    """A new layer of ``kind`` showing the same image as ``layer`` (the same object: no copy).

    The volume shown of a 4-D image is kept (a probabilistic atlas: its first map).

    Raises
    ------
    BrainviewTypeError
        ``layer`` shows no image (points, a surface...), or ``kind`` is not one of :data:`VIEW_KINDS`.
    """
    from ..layers.registry import layer_class

    source = image_source(layer)
    if source is None or kind not in VIEW_KINDS:
        raise BrainviewTypeError(
            f"kind: a {VIEW_KINDS.get(kind, repr(kind))} view needs a layer showing an image "
            f"({', '.join(_IMAGE_KINDS)}) and a kind among {', '.join(VIEW_KINDS)}; got a {layer.kind} "
            "layer. Select an image layer first.")
    volume = layer.get_params().get("volume")
    if layer.kind == "atlas" and layer.probabilistic:
        volume = 0  # one map of the regions' probabilities
    options = {} if volume is None else {"volume": volume}
    return layer_class(kind)(source, name=f"{layer.name} ({VIEW_KINDS[kind].lower()})", **options)


def role_of(layer):
    """The role (:data:`brainview.gui.file_roles.ROLES`) a layer shows its file as."""
    if layer.kind == "atlas":
        return "prob_atlas" if layer.probabilistic else "atlas"
    return {"slices": "anatomy", "stat_map": "map", "contour": "mask", "volume": "anatomy"}.get(layer.kind)


def file_of(layer):
    """The file a layer shows (a Path), or None for in-memory data and dataset loaders."""
    source = image_source(layer)
    if isinstance(source, (str, os.PathLike)) and Path(source).is_file():
        return Path(source)
    return None


class LayerActions:
    """The Layer menu, the layer list's context menu and their handlers (a mixin of the window's actions)."""

    def _build_layer_actions(self, action):
        """``layer_view_<kind>`` for each of :data:`VIEW_KINDS` and ``change_role``; the Layer menu."""
        for kind, text in VIEW_KINDS.items():
            action(f"layer_view_{kind}", text, functools.partial(self.add_view, kind),
                   tip=f"Add a {text.lower()} of the selected image (the same file: nothing is copied)")
        action("change_role", "Change &role…", self.change_role_dialog,
               tip="Open the selected layer's file as something else (anatomy, map, atlas, mask...)")
        menu = self.menuBar().addMenu("&Layer")
        self._fill_layer_menu(menu)
        menu.aboutToShow.connect(self._update_layer_actions)
        self.layer_list.setContextMenuPolicy(QtCore.Qt.CustomContextMenu)
        self.layer_list.customContextMenuRequested.connect(self._layer_context_menu)
        self.layer_list.currentRowChanged.connect(lambda row: self._update_layer_actions())
        self._update_layer_actions()

    def _fill_layer_menu(self, menu):
        views = menu.addMenu("Add &view of this image")
        for kind in VIEW_KINDS:
            views.addAction(self.actions[f"layer_view_{kind}"])
        menu.addAction(self.actions["change_role"])
        return menu

    def layer_menu(self):
        """The layer list's context menu (the Layer menu's actions), for the selected layer."""
        self._update_layer_actions()
        return self._fill_layer_menu(QtWidgets.QMenu(self))

    def _layer_context_menu(self, pos):
        item = self.layer_list.itemAt(pos)
        if item is None:
            return
        self.layer_list.setCurrentItem(item)
        menu = self.layer_menu()
        menu.exec_(self.layer_list.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _update_layer_actions(self):
        layer = self.selected_layer
        has_image = layer is not None and image_source(layer) is not None
        for kind in VIEW_KINDS:
            self.actions[f"layer_view_{kind}"].setEnabled(has_image)
        self.actions["change_role"].setEnabled(layer is not None and file_of(layer) is not None)

    @guarded
    def add_view(self, kind):
        """Add a view (:data:`VIEW_KINDS`) of the selected layer's image, built in the loader; it is selected."""
        layer = self.selected_layer
        if layer is None:
            raise BrainviewTypeError("kind: select an image layer to add a view of it.")
        if image_source(layer) is None:
            view_of(layer, kind)  # raises, saying why, before any work starts
        self._start_load([f"a {VIEW_KINDS[kind].lower()} of {layer.name}"], functools.partial(_one_layer, view_of,
                                                                                              layer, kind),
                         self._add_built)

    def _add_built(self, opened):
        self._loading = []  # a view of a layer, not a file opened: nothing for File > Open recent
        self._add_loaded(opened)

    @guarded
    def change_role_dialog(self):
        """Ask the selected layer's file's role (the chooser preset to the current one); reopen it if changed."""
        layer = self.selected_layer
        path = None if layer is None else file_of(layer)
        if path is None:
            raise BrainviewTypeError("layer: change a role of a layer opened from a file; "
                                     f"{'no layer is selected' if layer is None else layer.name + ' has none'}.")
        guesses = []
        self.run_in_background(lambda: guesses.append(_current_guess(layer, path)),
                               then=lambda: self._ask_role(layer, guesses[0]),
                               failed=lambda error: self.show_error("Cannot read the file",
                                                                    f"{type(error).__name__}: {error}"),
                               name=f"what {path.name} is")

    @guarded
    def _ask_role(self, layer, guess):
        from .roles import choose_roles

        if layer not in self.figure.layers:
            return  # removed while the file was read
        roles = choose_roles(self, [guess], always=True)
        role = None if roles is None else roles[str(guess.path)]
        if role is None or role == guess.role:
            self.statusBar().showMessage(f"{layer.name}: role unchanged.", 4000)
            return
        self.change_role(layer, role)

    @guarded
    def change_role(self, layer, role):
        """Replace ``layer`` by its file opened as ``role`` (a key of :data:`~brainview.gui.file_roles.ROLES`)."""
        from .files import Choices, open_files

        path = file_of(layer)
        volume = layer.get_params().get("volume")
        keep_volume = volume is not None and role not in ("atlas", "prob_atlas")
        choices = Choices(roles={path: role}, volume=volume if keep_volume else None)
        self._start_load([path], functools.partial(open_files, [path], choices, anatomy=False),
                         functools.partial(self._replace_layer, layer))

    def _replace_layer(self, old, opened):
        self._finish_progress()
        try:
            if not self._torn_down and old in self.figure.layers and opened.layers:
                index = list(self.figure.layers).index(old)
                for offset, layer in enumerate(opened.layers):
                    self.figure.add(layer)
                    self.figure.move(layer, index + offset)
                self.figure.remove(old)
                self.select_layer(opened.layers[-1])
                self.statusBar().showMessage(" ".join([f"{old.name} is now a {opened.layers[-1].kind} layer.",
                                                       *opened.notes]), 8000)
        except Exception as error:
            self.show_error("Cannot change the role", f"{type(error).__name__}: {error}")
        finally:
            self.loaded.emit()


def _one_layer(build, *args):
    from .files import Opened

    return Opened(layers=[build(*args)])


def _current_guess(layer, path):
    """The file's guess (read in a worker), presented with the role the layer has now as its choice."""
    from .file_roles import ROLES, RoleGuess, guess_role

    guess = guess_role(path)
    current = role_of(layer)
    reasons = [f"opened as {ROLES.get(current, current)}",
               f"read from the file: {ROLES.get(guess.role, guess.role)}, as {guess.why.rstrip('.')}"]
    return RoleGuess(path, current, reasons, roles=guess.roles)
