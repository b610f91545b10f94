"""The main window's menus, toolbar and actions, and what each action does.

:class:`WindowActions` is a mixin of :class:`~brainview.gui.window.MainWindow`:
its methods build the File, View, Layer and Help menus and the main toolbar
(``window.actions[key]``), and handle them — open, screenshots, sessions,
script export, movies, recent files, the Python console, Help (the Layer
menu, "Add view of this image" and "Change role…", is
:class:`~brainview.gui.layer_actions.LayerActions`). Each handler
is the library call a script would make (``bv.load_scene``, ``bv.save_scene``,
``bv.export_script``, ``bv.movie``), guarded by :func:`guarded`: an error
becomes a dialog, never an exception raised into Qt.

Examples
--------
>>> is_session("scene.bvscene"), is_session("brain.nii.gz")
(True, False)
"""

from __future__ import annotations

import functools
from pathlib import Path

from PyQt5 import QtCore, QtGui, QtWidgets, sip

from .common import VIEWS, recent_files, remember_recent
from .coordinates import CoordinatesPanel
from .guards import guarded
from .info import InfoDialog
from .layer_actions import LayerActions
from .screenshots import TARGETS, save_view

OPEN_FILTER = ("Brain images, surfaces and sessions (*.nii *.nii.gz *.mgz *.mgh *.mnc *.gii *.gii.gz "
               "*.pial *.white *.inflated *.sphere *.thickness *.curv *.sulc *.trk *.tck *.trx *.vtk *.vtp "
               "*.bvscene *.bvz);;"
               "All files (*)")
SESSION_SUFFIXES = (".bvscene", ".bvz")
SESSION_FILTER = "brainview sessions (*.bvscene *.bvz);;All files (*)"


def is_session(path):
    """Whether ``path`` names a scene file or a figure carrying its scene (opened as a session, not as data)."""
    from ..export.recipe import has_embedded_scene

    return Path(str(path)).suffix.lower() in SESSION_SUFFIXES or has_embedded_scene(path)


class WindowActions(LayerActions):
    """The menus, toolbar and action handlers of :class:`~brainview.gui.window.MainWindow` (a mixin).

    Uses the window's ``figure``, ``view``, ``show_error``, ``open_files``,
    ``statusBar`` and its loader (``_start_load``); sets ``actions`` (key ->
    QAction), ``recent_menu`` and, while its dialog is open, ``movie_dialog``.
    """

    def _build_actions(self):
        style = self.style()
        self.actions = {}

        def action(key, text, slot, *, icon=None, shortcut=None, tip=None):
            act = QtWidgets.QAction(text, self)
            if icon is not None:
                act.setIcon(style.standardIcon(icon))
            if shortcut:
                act.setShortcut(QtGui.QKeySequence(shortcut))
            act.setToolTip(tip or text)
            act.triggered.connect(lambda checked=False: slot())
            self.actions[key] = act
            return act

        self._build_open_actions(action)
        action("screenshot", "Save &screenshot…", self.screenshot_dialog,
               icon=QtWidgets.QStyle.SP_DialogSaveButton, shortcut="Ctrl+S",
               tip="Save the 3-D view as PNG/JPEG")
        action("close", "&Close", self.close, shortcut=QtGui.QKeySequence.Close)
        action("reset", "Reset camera", self.reset_camera, icon=QtWidgets.QStyle.SP_BrowserReload,
               shortcut="Ctrl+R", tip="Frame every visible layer again")
        for i, name in enumerate(VIEWS):
            action(name, name.capitalize(), functools.partial(self.set_view, name),
                   shortcut=f"Ctrl+{i + 1}", tip=f"View from the {name} side")

        self._build_shell_actions(action)
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.actions["open"])
        menu.addAction(self.actions["open_roles"])
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addSeparator()
        for key in ("open_session", "save_session", "export_script"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        for key in ("screenshot", "screenshot_window"):
            menu.addAction(self.actions[key])
        views = menu.addMenu("Save screenshot of a 2-D &view")
        for target in ("axial", "coronal", "sagittal", "lightbox"):
            views.addAction(f"{target.capitalize()}…").triggered.connect(
                lambda checked=False, target=target: self.screenshot_dialog(target))
        menu.addAction(self.actions["record_movie"])
        menu.addSeparator()
        menu.addAction(self.actions["close"])
        menu = self.menuBar().addMenu("&View")
        for key in (*VIEWS, "reset"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        for act in self.layout_actions.values():  # the layouts, the lightbox included
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.actions["layer_info"])
        menu.addAction(self._build_coordinates_dock().toggleViewAction())
        menu.addAction(self.actions["console"])
        self._build_layer_actions(action)  # the Layer menu (.layer_actions)
        menu = self.menuBar().addMenu("&Help")
        for key in ("shortcuts", "about"):
            menu.addAction(self.actions[key])
        self._build_toolbar()

    def _build_toolbar(self):
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main")
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonTextBesideIcon)
        toolbar.addAction(self.actions["open"])
        toolbar.addAction(self.actions["screenshot"])
        toolbar.addSeparator()
        toolbar.addWidget(QtWidgets.QLabel(" View: "))
        for name in VIEWS:
            toolbar.addAction(self.actions[name])
        toolbar.addSeparator()
        toolbar.addAction(self.actions["reset"])

    def _build_shell_actions(self, action):
        """The actions of sessions, scripts, movies, screenshots, panels, console, Help (``action`` makes one)."""
        action("open_session", "Open s&ession…", self.open_session_dialog, shortcut="Ctrl+Shift+O",
               tip="Replace the scene by a saved session (.bvscene, .bvz)")
        action("save_session", "Save sess&ion…", self.save_session_dialog, shortcut="Ctrl+Shift+S",
               tip="Save the scene as a session file (bv.save_scene)")
        action("export_script", "Export as &Python script…", self.export_script_dialog,
               tip="Write the bv.* calls that rebuild this scene")
        action("record_movie", "Record &movie…", self.record_movie_dialog, shortcut="Ctrl+M",
               tip="Write an orbit, or a move to another view, as MP4/GIF")
        action("console", "&Python console", self.toggle_console, shortcut="Ctrl+Shift+P",
               tip="IPython with bv, fig and layers of this window")
        self.actions["console"].setCheckable(True)
        action("screenshot_window", "Save screenshot of the &window…",
               functools.partial(self.screenshot_dialog, "window"), tip="Save the whole window as PNG/JPEG")
        action("layer_info", "Overlay &information…", self.show_layer_info, shortcut="Ctrl+I",
               tip="File, data type, shape, voxel size, affine and header of the selected layer")
        action("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, shortcut=QtGui.QKeySequence.HelpContents)
        action("about", "&About brainview", self.show_about)

    # ------------------------------------------------------------ camera and images

    @guarded
    def set_view(self, name):
        self.figure.view(name)

    @guarded
    def reset_camera(self):
        self.figure.reset_camera()
        self._on_changed(None)

    @guarded
    def screenshot_dialog(self, target="3d"):
        """Ask for a file and save a screenshot of ``target`` (a key of :data:`.screenshots.TARGETS`)."""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, f"Save screenshot of {TARGETS[target]}", "brainview.png", "Images (*.png *.jpg *.jpeg)")
        if path:
            self.save_screenshot(path, target=target)

    @guarded
    def save_screenshot(self, path, *, target="3d"):
        """Save the 3-D view (at its size), the whole window or one 2-D view as PNG/JPEG."""
        save_view(self, path, target=target)
        self.statusBar().showMessage(f"Saved {TARGETS[target]} to {path}", 4000)

    # ------------------------------------------------------------ panels (View menu)

    def _build_coordinates_dock(self):
        """The typed coordinates (:mod:`.coordinates`) in a dock, following the cursor and the selection."""
        self.coordinates = CoordinatesPanel(self.figure, cursor=self.ortho.cursor)
        self.coordinates.refused.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.layer_list.currentRowChanged.connect(lambda row: self.coordinates.set_layer(self.selected_layer))
        self.closed.connect(self.coordinates.detach)
        dock = QtWidgets.QDockWidget("Coordinates", self)
        dock.setObjectName("coordinates")
        dock.setWidget(self.coordinates)
        self.addDockWidget(QtCore.Qt.LeftDockWidgetArea, dock)
        return dock

    @guarded
    def show_layer_info(self):
        """Show the overlay information of the selected layer (:mod:`.info`); it follows the selection."""
        if getattr(self, "info_dialog", None) is None:
            self.info_dialog = InfoDialog(self)
            self.layer_list.currentRowChanged.connect(lambda row: self.info_dialog.show_layer(self.selected_layer))
        self.info_dialog.show_layer(self.selected_layer)
        self.info_dialog.show()
        self.info_dialog.raise_()

    # ------------------------------------------------------------ files

    @guarded
    def open_dialog(self, *, always=False):
        """File > Open: the role chooser when a guess is uncertain (``always``: File > Open with roles)."""
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(self, "Open", "", OPEN_FILTER)
        if paths:
            self.open_with_roles(paths, always=always)

    def open_dropped(self, paths, modifiers):
        """Files dropped on the window: opened at once (notes say what was guessed), with Shift: the role chooser."""
        if modifiers & QtCore.Qt.ShiftModifier:
            QtCore.QTimer.singleShot(0, lambda: self.open_with_roles(paths, always=True))  # not inside the drop
        else:
            self.open_files(paths)

    @guarded
    def open_with_roles(self, paths, *, always=False):
        """Open files, first asking their roles (:mod:`brainview.gui.roles`) when unsure or ``always``.

        The guesses read the files in a worker; the chooser shows once they are made.
        """
        from .roles import guess_all

        if any(is_session(path) for path in paths):
            self.open_files(paths)  # a session says itself what it holds
            return
        guesses = []
        self.run_in_background(lambda: guesses.extend(guess_all(paths)),
                               then=lambda: self._open_as_chosen(paths, guesses, always),
                               failed=lambda error: self.show_error("Cannot open file",
                                                                    f"{type(error).__name__}: {error}"),
                               name="what the files are")

    @guarded
    def _open_as_chosen(self, paths, guesses, always):
        from .files import Choices
        from .roles import choose_roles

        roles = choose_roles(self, guesses, always=always)
        if roles is None:
            self.statusBar().showMessage("Open cancelled.", 4000)
            return
        self.open_files(paths, choices=Choices(roles=roles) if roles else None)

    # ------------------------------------------------------------ sessions, scripts, movies (File menu)
    # Each action is the library call a script would make: bv.load_scene,
    # bv.save_scene, bv.export_script, bv.movie.

    @guarded
    def save_session_dialog(self):
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save session", "scene.bvscene", SESSION_FILTER)
        if path:
            self.save_session(path if is_session(path) else path + ".bvscene")

    @guarded
    def save_session(self, path):
        """Write the scene to a scene file: :func:`brainview.export.scene_file.save_scene`.

        The layers reference the files opened (relative path, SHA-256, size),
        never copies; the window's layout and lightbox settings go with them
        (:mod:`brainview.gui.sessions`).
        """
        from ..export.scene_file import save_scene
        from .sessions import window_settings

        save_scene(self.figure, path, app=window_settings(self))
        remember_recent([path])
        self.statusBar().showMessage(f"Saved session {path}", 4000)

    @guarded
    def open_session_dialog(self):
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open session", "", SESSION_FILTER)
        if path:
            self.open_session(path)

    @guarded
    def open_session(self, path):
        """Replace the scene by a scene file's (read in the loader: :func:`~brainview.export.scene_file.load_scene`).

        The window keeps its figure (``fig`` in scripts and the console stays
        valid): the loaded layers, camera, texts and colour bars move into it.
        """
        from ..errors import BrainviewError
        from ..export.scene_file import scene_references

        path = str(path)
        try:
            outside = scene_references(path, outside_only=True)
        except (BrainviewError, OSError):  # not a readable scene: the load says why, and ends (``loaded``)
            outside = []
        if outside and not self._allow_outside_files(path, outside):
            return
        self._start_load([path], functools.partial(_read_session, path, allow_outside=bool(outside)),
                         self._adopt_session)

    def _allow_outside_files(self, path, outside):
        """Ask before a scene reads files outside its folder (a scene from someone else may probe)."""
        listed = "\n".join(str(name) for name in outside[:10]) + ("\n..." if len(outside) > 10 else "")
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Question, "Files outside the scene's folder",
                                    f"{Path(path).name} reads {len(outside)} file(s) outside its folder:\n"
                                    f"{listed}\n\nOpen them? Say yes only for a scene you saved.",
                                    QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.No, self)
        return box.exec_() == QtWidgets.QMessageBox.Yes

    def _adopt_session(self, read):
        from .sessions import apply_window_settings

        self._finish_progress()
        loaded, settings = read
        try:
            if not self._torn_down:
                self._replace_scene(loaded)
                notes = apply_window_settings(self, settings)
                remember_recent(self._loading)
                self.statusBar().showMessage(" ".join([f"Opened session {self._loading[0]}.", *notes]), 8000)
        except Exception as error:
            self.show_error("Cannot open session", f"{type(error).__name__}: {error}")
        finally:
            loaded.close()
            self.loaded.emit()

    def _replace_scene(self, loaded):
        fig = self.figure
        camera, texts, bars = loaded.camera, loaded.annotation_specs(), loaded.colorbar_specs()
        layers = list(loaded.layers)
        fig.clear()
        fig.bgcolor = loaded.bgcolor
        for layer in layers:
            loaded.remove(layer)
            fig.add(layer)
        fig.camera = camera
        fig.set_annotations(texts)
        for bar in bars:
            fig.colorbar(bar["layer"], title=bar["title"], n_labels=bar["n_labels"], format=bar.get("format"))
        if layers:
            self.select_layer(layers[-1])

    @guarded
    def export_script_dialog(self):
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export as Python script", "brainview_scene.py",
                                                        "Python scripts (*.py)")
        if path:
            self.export_script(path if path.endswith(".py") else path + ".py")

    @guarded
    def export_script(self, path):
        """Write the ``bv.*`` calls that rebuild the scene: :func:`brainview.export.script.export_script`."""
        from ..export.script import export_script

        export_script(self.figure, path)
        self.statusBar().showMessage(f"Exported {path}", 4000)

    @guarded
    def record_movie_dialog(self):
        """Ask for the movie's settings, then record it (see :mod:`brainview.gui.record`)."""
        from .record import MovieDialog

        dialog = MovieDialog(self, record=self.record_movie)
        self.movie_dialog = dialog  # tests drive the real dialog
        try:
            dialog.exec_()
        finally:
            self.movie_dialog = None
            dialog.deleteLater()

    def record_movie(self, path, *, orbit=None, keyframes=None, n_frames=96, fps=None):
        """Write a movie with a progress dialog (``bv.movie``'s keywords); False when cancelled."""
        from .record import record_movie

        written = record_movie(self.figure, path, {"orbit": orbit, "keyframes": keyframes,
                                                   "n_frames": n_frames, "fps": fps}, parent=self)
        if sip.isdeleted(self) or not self.isVisible():
            return written  # closed during the movie: nothing left to update
        self.statusBar().showMessage(f"Saved movie {path}" if written else "Movie cancelled", 6000)
        self._on_changed(None)
        return written

    def _build_open_actions(self, action):
        """File > Open (asks the roles when a guess is unsure) and File > Open with roles (always asks)."""
        action("open", "&Open…", self.open_dialog, icon=QtWidgets.QStyle.SP_DialogOpenButton,
               shortcut=QtGui.QKeySequence.Open, tip="Open images or surfaces (or drop files here)")
        action("open_roles", "Open with &roles…", lambda: self.open_dialog(always=True), shortcut="Ctrl+Alt+O",
               tip="Open files and say what each is (anatomy, map, atlas, mask...); Shift+drop does too")

    def _fill_recent_menu(self):
        self.recent_menu.clear()
        paths = recent_files()
        for path in paths:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda checked=False, path=path: self.open_recent(path))
        if not paths:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    @guarded
    def open_recent(self, path):
        """Open a file or session from File > Open recent."""
        if is_session(path):
            self.open_session(path)
        else:
            self.open_files([path])

    # ------------------------------------------------------------ console and help

    @property
    def console(self):
        """The :class:`~brainview.gui.console.PythonConsole` (None until View > Python console)."""
        return self._console

    @guarded
    def toggle_console(self):
        """Show or hide the Python console (made on first use)."""
        if self._console is None:
            self._open_console()
            visible = True
        else:
            visible = self._console_dock.isHidden()
        self._console_dock.setVisible(visible)
        self.actions["console"].setChecked(visible)
        if visible:
            self._console.widget.setFocus()

    def _open_console(self):
        import brainview

        from .console import PythonConsole

        self._console = PythonConsole({"bv": brainview, "fig": self.figure, "layers": self.figure.layers,
                                       "window": self})
        brainview.figure(self.figure)  # bv.* typed there draws in this window (the console runs on this thread)
        self._console_dock = QtWidgets.QDockWidget("Python console", self)
        self._console_dock.setObjectName("console")
        self._console_dock.setWidget(self._console)
        self._console_dock.visibilityChanged.connect(self.actions["console"].setChecked)
        # exit() or quit() typed in the console hides it; the app goes on.
        self._console.widget.exit_requested.connect(lambda *args: self._console_dock.hide())
        self.addDockWidget(QtCore.Qt.BottomDockWidgetArea, self._console_dock)
        self.resizeDocks([self._console_dock], [max(160, self.height() // 4)], QtCore.Qt.Vertical)
        # ``layers`` follows the figure (moving a layer builds a new list).
        self.figure.observe(self._push_layers, "layers")

    def _push_layers(self, event):
        if self._console is not None:
            self._console.push({"layers": self.figure.layers})

    def _close_console(self):
        if self._console is not None:
            self.figure.observe(self._push_layers, "layers", remove=True)
            self._console.shutdown()
            self._console = None

    @guarded
    def show_about(self):
        from .about import about_text, show_text_dialog

        show_text_dialog(self, "About brainview", about_text(self.view.GetRenderWindow()))

    @guarded
    def show_shortcuts(self):
        from .about import shortcuts_text, show_text_dialog

        show_text_dialog(self, "Keyboard shortcuts", shortcuts_text(self.actions), rich=True)


def _read_session(path, *, allow_outside):
    """A session's figure and the window's settings in it (run in the loader: it reads the data files)."""
    from ..export.scene_file import load_scene, scene_app_settings

    figure = load_scene(path, allow_outside=allow_outside)
    try:
        return figure, scene_app_settings(path)
    except BaseException:
        figure.close()
        raise
