"""The main window: 3-D view, layer list, property panel, toolbar, status bar.

When the 3-D view draws: a change of the scene (a layer's trait, the
camera, a layer added) renders once the event loop is idle, however many
changes came before (one frame for many). A cursor move in the 2-D views
moves the 3-D anatomy planes at once but draws them only once the cursor
has been still for :data:`CURSOR_QUIET_MS` (a drag or a held arrow key
renders once, at the end; the 2-D views and the status bar follow every
move). Turning the camera in the 3-D view draws at once (VTK's interactor).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera

from .. import _vtk
from ..errors import BrainviewError, BrainviewValueError
from .common import (
    VIEWS,
    install_error_hook,
    recent_files,
    remember_recent,
    remove_error_hook,
)
from .files import Choices, open_files
from .loader import LoadAbandoned, Loader
from .ortho import OrthoViews
from .panel import edit_layer

_OPEN_FILTER = ("Brain images, surfaces and sessions (*.nii *.nii.gz *.mgz *.mgh *.mnc *.gii *.gii.gz "
                "*.pial *.white *.inflated *.sphere *.thickness *.curv *.sulc *.bvscene *.bvz);;"
                "All files (*)")
_PICK_DELAY_MS = 40
#: How long (ms) the cursor must stay still before the 3-D view follows it: a drag, a held
#: arrow key or quick clicks render the 3-D scene once, after the last move.
CURSOR_QUIET_MS = 200
_SESSION_SUFFIXES = (".bvscene", ".bvz")
_SESSION_FILTER = "brainview sessions (*.bvscene *.bvz);;All files (*)"


def is_session(path):
    """Whether ``path`` names a scene file (opened as a session, not as data)."""
    return Path(str(path)).suffix.lower() in _SESSION_SUFFIXES


def _guarded(method):
    """Turn an exception in a user action into an error dialog: the app lives on.

    Connect Qt signals through a lambda that drops the signal's own arguments
    (``clicked(bool)`` passes ``checked``), as :meth:`MainWindow._build_actions` does.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **options):
        try:
            return method(self, *args, **options)
        except Exception as error:  # shown to the user, never raised into Qt
            self.show_error(f"{method.__name__.strip('_').replace('_', ' ').capitalize()} failed",
                            f"{type(error).__name__}: {error}")
            return None

    return wrapper


class MainWindow(QtWidgets.QMainWindow):
    """A window showing one :class:`~brainview.scene.Figure` (see module doc).

    Attributes
    ----------
    figure : Figure
    view : QVTKRenderWindowInteractor
        The 3-D view holding ``figure.renderer``.
    layer_list : QListWidget
        One checkable row per layer, in drawing order.
    last_pick : PickResult or None
        What the status bar shows.
    render_count : int
        Frames drawn in the 3-D view so far (each VTK render of its window).
    defer_cursor_renders : bool
        True (the default): a cursor move in the 2-D views redraws the 3-D
        view only once the cursor has been still for :data:`CURSOR_QUIET_MS`;
        every other change renders when the event loop is next idle. False
        renders after each move (the old way, kept for the benchmark).
    """

    #: Emitted once the window closed and gave the figure back.
    closed = QtCore.pyqtSignal()
    #: Emitted when a load finished (added or failed).
    loaded = QtCore.pyqtSignal()

    def __init__(self, figure, parent=None):
        super().__init__(parent)
        self.figure = figure
        self.last_pick = None
        self._ui = None
        self._colorbar = None  # the bar the window shows for the selected layer
        self._selected = None
        self.render_count = 0
        self.defer_cursor_renders = True
        self._torn_down = False
        self._progress = None
        self._pick_at = None
        self.setAttribute(QtCore.Qt.WA_DeleteOnClose)
        # PyQt aborts the process on an exception escaping a slot: while a window
        # is open, such an error becomes a dialog instead (a safety net: user
        # actions are guarded one by one below).
        install_error_hook()
        self.setWindowTitle("brainview")
        self.setAcceptDrops(True)
        self._build_view()
        self._build_layer_dock()
        self._build_actions()
        self._build_status()
        self._loader = Loader(self)
        self._loader.finished.connect(self._load_done)
        self._loader.error.connect(self._load_failed)
        self._jobs = Loader(self)  # work started from the property panel
        self._on_load = self._add_loaded
        self._console = self._console_dock = None
        width, height = figure.size
        self.resize(min(width + 340, 1260), min(height + 110, 980))
        figure.observe(self._on_changed, "changed")
        figure.observe(self._on_layers, "layers.items")
        figure.observe(self._on_colorbars, "colorbars.items")
        self._rebuild_list()

    # ------------------------------------------------------------ building

    def _build_view(self):
        self.view = QVTKRenderWindowInteractor(self)
        self.view.SetInteractorStyle(vtkInteractorStyleTrackballCamera())
        render_window = self.view.GetRenderWindow()
        render_window.SetMultiSamples(0)  # multisampling is slow in software OpenGL
        self.figure._host_in(render_window)
        # Every render (Qt's paint events call Render directly) places a pending
        # camera first: the first paint shows the pose the first hover would.
        render_window.AddObserver("StartEvent", lambda *args: self._place_camera())
        render_window.AddObserver("EndEvent", lambda *args: self._count_render())
        # VTK's "q"/"e" keys would end the process: handle its ExitEvent ourselves.
        self.view.AddObserver("ExitEvent", lambda *args: None)
        self.view.AddObserver("MouseMoveEvent", self._on_mouse_move)
        # Heavy layers draw a lighter version while the camera moves.
        style = self.view.GetInteractorStyle()
        style.AddObserver("StartInteractionEvent", lambda *args: self._set_interacting(True))
        style.AddObserver("EndInteractionEvent", lambda *args: self._set_interacting(False))
        self._build_layout()
        self.view.Initialize()
        self._pick_timer = QtCore.QTimer(self)
        self._pick_timer.setSingleShot(True)
        self._pick_timer.setInterval(_PICK_DELAY_MS)
        self._pick_timer.timeout.connect(self._pick_pending)
        self._idle_timer = QtCore.QTimer(self)  # fires when the event loop is next idle
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(0)
        self._idle_timer.timeout.connect(self._render)
        self._quiet_timer = QtCore.QTimer(self)  # restarted by every cursor move
        self._quiet_timer.setSingleShot(True)
        self._quiet_timer.setInterval(CURSOR_QUIET_MS)
        self._quiet_timer.timeout.connect(self._render)

    #: The central layouts: 3-D view only, the 2-D views only, the 3-D view over the three 2-D views.
    LAYOUTS = {"3d": "3-D only", "2d": "2-D only", "1+3": "3-D + 2-D"}

    def _build_layout(self):
        """The 3-D view and the linked 2-D views (:mod:`.ortho`), in a splitter; a toolbar switches."""
        self.ortho = OrthoViews(self.figure)
        self.ortho.status_changed.connect(lambda text: self.status_label.setText(text)
                                          if hasattr(self, "status_label") else None)
        self._splitter = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        self._splitter.addWidget(self.view)
        self._splitter.addWidget(self.ortho)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self._splitter)
        toolbar = self.addToolBar("Layout")
        toolbar.setObjectName("layout")
        group = QtWidgets.QActionGroup(self)
        self.layout_actions = {}
        for key, text in self.LAYOUTS.items():
            act = QtWidgets.QAction(text, self, checkable=True)
            act.setToolTip(f"Layout: {text}")
            act.triggered.connect(lambda checked=False, key=key: self.set_layout(key))
            group.addAction(act)
            toolbar.addAction(act)
            self.layout_actions[key] = act
        self.current_layout = None
        self.set_layout("1+3")

    @_guarded
    def set_layout(self, layout):
        """Show the 3-D view only (``"3d"``), the 2-D views only (``"2d"``) or both (``"1+3"``)."""
        if layout not in self.LAYOUTS:
            raise ValueError(f"layout: expected one of {', '.join(map(repr, self.LAYOUTS))}, got {layout!r}.")
        self.view.setVisible(layout != "2d")
        self.ortho.setVisible(layout != "3d")
        self.ortho.set_arrangement("grid" if layout == "2d" else "row")
        self.layout_actions[layout].setChecked(True)
        self.current_layout = layout

    def _build_layer_dock(self):
        self.layer_list = QtWidgets.QListWidget()
        self.layer_list.itemChanged.connect(self._on_item_changed)
        self.layer_list.currentRowChanged.connect(self._on_row_changed)
        buttons = QtWidgets.QHBoxLayout()
        style = self.style()
        self._buttons = {}
        for key, icon, tip, slot in (
            ("up", QtWidgets.QStyle.SP_ArrowUp, "Draw earlier (move up)", lambda: self.move_selected(-1)),
            ("down", QtWidgets.QStyle.SP_ArrowDown, "Draw later (move down)", lambda: self.move_selected(1)),
            ("remove", QtWidgets.QStyle.SP_TrashIcon, "Remove the layer", self.remove_selected),
        ):
            button = QtWidgets.QToolButton()
            button.setIcon(style.standardIcon(icon))
            button.setToolTip(tip)
            button.clicked.connect(lambda checked=False, slot=slot: slot())
            buttons.addWidget(button)
            self._buttons[key] = button
        buttons.addStretch(1)
        layers = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(layers)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.layer_list)
        column.addLayout(buttons)
        dock = layers_dock = QtWidgets.QDockWidget("Layers", self)
        dock.setObjectName("layers")
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetMovable)
        dock.setWidget(layers)
        self.addDockWidget(QtCore.Qt.LeftDockWidgetArea, dock)

        self.panel_area = QtWidgets.QScrollArea()
        self.panel_area.setWidgetResizable(True)
        self.panel_area.setMinimumWidth(360)  # room for a slider and its whole number
        self.panel_area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        dock = QtWidgets.QDockWidget("Properties", self)
        dock.setObjectName("properties")
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetMovable)
        dock.setWidget(self.panel_area)
        self.addDockWidget(QtCore.Qt.LeftDockWidgetArea, dock)
        # The panel is the taller: a few layers fit in a short list.
        self.resizeDocks([layers_dock, dock], [1, 3], QtCore.Qt.Vertical)

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

        action("open", "&Open…", self.open_dialog, icon=QtWidgets.QStyle.SP_DialogOpenButton,
               shortcut=QtGui.QKeySequence.Open, tip="Open images or surfaces (or drop files here)")
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
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addSeparator()
        for key in ("open_session", "save_session", "export_script"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        for key in ("screenshot", "record_movie"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        menu.addAction(self.actions["close"])
        menu = self.menuBar().addMenu("&View")
        for key in (*VIEWS, "reset"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        menu.addAction(self.actions["console"])
        menu = self.menuBar().addMenu("&Help")
        for key in ("shortcuts", "about"):
            menu.addAction(self.actions[key])

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
        """The actions of sessions, scripts, movies, the console and Help (``action`` makes one)."""
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
        action("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, shortcut=QtGui.QKeySequence.HelpContents)
        action("about", "&About brainview", self.show_about)

    def _build_status(self):
        self.status_label = QtWidgets.QLabel("Move the mouse over the scene to read coordinates and values.")
        self.status_label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.statusBar().addWidget(self.status_label, 1)

    # ------------------------------------------------------------ scene → window

    def _on_changed(self, event):
        """Schedule a render: when the event loop is idle, or once the cursor is still."""
        if self._torn_down:
            return
        if self.defer_cursor_renders and self.ortho.moving_scene:
            self._quiet_timer.start()  # (re)started: a moving cursor never waits for the 3-D view
            return
        if not self._idle_timer.isActive():
            self._idle_timer.start()  # one frame for every change before the loop is idle

    def _render(self):
        self._idle_timer.stop()
        self._quiet_timer.stop()  # this frame shows the cursor's last move too
        if self._torn_down:
            return
        if self.figure.closed:
            self.close()
            return
        self._sync_list()
        if self.view.isVisible():
            self.figure.render()

    def render_now(self):
        """Draw the scene at once (tests and screenshots)."""
        self._idle_timer.stop()
        self._quiet_timer.stop()
        self.figure.render()

    @property
    def cursor_quiet_ms(self):
        """ms the cursor must stay still before the 3-D view follows it (default :data:`CURSOR_QUIET_MS`)."""
        return self._quiet_timer.interval()

    @cursor_quiet_ms.setter
    def cursor_quiet_ms(self, ms):
        self._quiet_timer.setInterval(max(0, int(ms)))

    def _count_render(self):
        self.render_count += 1

    def _on_layers(self, event):
        if not self._torn_down:
            self._rebuild_list()

    def _rebuild_list(self):
        layers = list(self.figure.layers)
        keep = self._selected if self._selected in layers else (layers[-1] if layers else None)
        self.layer_list.blockSignals(True)
        self.layer_list.clear()
        for layer in layers:
            item = QtWidgets.QListWidgetItem()
            item.setFlags(item.flags() | QtCore.Qt.ItemIsUserCheckable)
            self._fill_item(item, layer)
            self.layer_list.addItem(item)
        self.layer_list.blockSignals(False)
        if keep is not None:
            self.layer_list.setCurrentRow(layers.index(keep))
        if keep is not self._selected:
            self._select(keep)
        self._update_buttons()

    def _fill_item(self, item, layer):
        item.setText(f"{layer.name}  ·  {layer.kind}")
        item.setToolTip(repr(layer))
        item.setCheckState(QtCore.Qt.Checked if layer.visible else QtCore.Qt.Unchecked)

    def _sync_list(self):
        # Names and visibility may have changed from a script or the panel.
        self.layer_list.blockSignals(True)
        for row, layer in enumerate(self.figure.layers):
            item = self.layer_list.item(row)
            if item is not None:
                self._fill_item(item, layer)
        self.layer_list.blockSignals(False)

    # ------------------------------------------------------------ layer list → scene

    @_guarded
    def _on_item_changed(self, item):
        row = self.layer_list.row(item)
        if 0 <= row < len(self.figure.layers):
            self.figure.layers[row].visible = item.checkState() == QtCore.Qt.Checked

    @_guarded
    def _on_row_changed(self, row):
        layers = self.figure.layers
        self._select(layers[row] if 0 <= row < len(layers) else None)
        self._update_buttons()

    @property
    def selected_layer(self):
        return self._selected

    def select_layer(self, layer):
        """Select a layer in the list and show its properties."""
        self.layer_list.setCurrentRow(list(self.figure.layers).index(layer))

    def _select(self, layer):
        self._dispose_panel()
        self._selected = layer
        if layer is None:
            self.panel_area.setWidget(QtWidgets.QLabel("  No layer selected."))
            self._show_colorbar()
            return
        holder = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(holder)
        column.setContentsMargins(6, 6, 6, 6)
        self.panel_message = QtWidgets.QLabel()
        self.panel_message.setWordWrap(True)
        self.panel_message.setStyleSheet("color: #c62828;")
        self.panel_message.hide()
        column.addWidget(self.panel_message)
        self._ui = edit_layer(layer, holder, report=self._panel_error, background=self.run_in_background)
        column.addWidget(self._ui)
        column.addStretch(1)
        self.panel_area.setWidget(holder)
        self._show_colorbar()

    def _panel_error(self, error):
        """Show a refused panel edit under the panel's title (None: the last edit worked)."""
        if error is None:
            self.panel_message.hide()
            self._show_colorbar()  # an edit may give the layer a colormap, or take it away
            return
        text = f"{type(error).__name__}: {error}" if not isinstance(error, BrainviewError) else str(error)
        self.panel_message.setText(text)
        self.panel_message.show()
        self.statusBar().showMessage(text.splitlines()[0], 8000)

    @property
    def panel_ui(self):
        """The property panel (:class:`~brainview.gui.panel.LayerPanel`; None without selection)."""
        return self._ui

    def _dispose_panel(self):
        if self._ui is not None:
            self._ui.dispose()
        self._ui = None

    def _on_colorbars(self, event):
        if any(bar is not self._colorbar for bar in event.added):
            self._show_colorbar()

    def _show_colorbar(self):
        """Show the selected layer's colour bar (a live :class:`~brainview.scene.ColorBar`).

        The bar the window added goes when another layer is selected; bars a
        script added stay, and a layer that has one gets no second one.
        """
        figure, layer, bar = self.figure, self._selected, self._colorbar
        if figure.closed:
            return
        try:
            wanted = layer is not None and layer in figure.layers and layer.colorbar_table() is not None
            # A bar of the same layer added by a script (or a session) replaces the window's own.
            duplicated = bar is not None and any(b is not bar and b.layer is bar.layer for b in figure.colorbars)
            if bar is not None and (bar not in figure.colorbars or bar.layer is not layer or not wanted
                                    or duplicated):
                if bar in figure.colorbars:
                    figure._remove_colorbar(bar)
                self._colorbar = bar = None
            if wanted and bar is None and not any(b.layer is layer for b in figure.colorbars):
                self._colorbar = figure.colorbar(layer)
        except Exception as error:  # no bar is better than no app
            self.statusBar().showMessage(f"colour bar: {error}", 8000)

    def _update_buttons(self):
        row, count = self.layer_list.currentRow(), len(self.figure.layers)
        self._buttons["up"].setEnabled(row > 0)
        self._buttons["down"].setEnabled(0 <= row < count - 1)
        self._buttons["remove"].setEnabled(0 <= row < count)

    @_guarded
    def move_selected(self, step):
        """Move the selected layer ``step`` rows (changes drawing order)."""
        layer = self._selected
        if layer is not None:
            index = list(self.figure.layers).index(layer) + step
            if 0 <= index < len(self.figure.layers):
                self.figure.move(layer, index)

    @_guarded
    def remove_selected(self):
        if self._selected is not None:
            layer, self._selected = self._selected, None
            self.figure.remove(layer)

    # ------------------------------------------------------------ camera and images

    @_guarded
    def set_view(self, name):
        self.figure.view(name)

    @_guarded
    def reset_camera(self):
        self.figure.reset_camera()
        self._on_changed(None)

    @_guarded
    def screenshot_dialog(self):
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save screenshot", "brainview.png", "Images (*.png *.jpg *.jpeg)")
        if path:
            self.save_screenshot(path)

    @_guarded
    def save_screenshot(self, path):
        """Save the 3-D view, at the view's size, as PNG/JPEG."""
        self.figure.savefig(path, size=tuple(self.figure.window.GetSize()))
        self.statusBar().showMessage(f"Saved {path}", 4000)

    # ------------------------------------------------------------ files

    @_guarded
    def open_dialog(self):
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(self, "Open", "", _OPEN_FILTER)
        if paths:
            self.open_files(paths)

    @property
    def busy(self):
        """True while files load in the background."""
        return self._loader.busy

    @_guarded
    def open_files(self, paths, *, choices=None):
        """Load files in a worker thread, then add their layers (errors -> dialog).

        ``choices`` is a :class:`brainview.gui.files.Choices` (the command's flags).
        """
        paths = [str(p) for p in paths]
        if any(is_session(p) for p in paths):
            if len(paths) != 1:
                raise BrainviewValueError("Open a scene file (.bvscene, .bvz) alone, not with other files.")
            self.open_session(paths[0])
            return
        anatomy = not self.figure.layers
        _vtk.is_software_rendering()  # decided here: it needs an OpenGL context
        self._start_load(paths, functools.partial(open_files, paths, choices or Choices(), anatomy=anatomy),
                         self._add_loaded)

    def _start_load(self, paths, function, on_load):
        """Run ``function`` in the loader with a cancellable progress dialog; ``on_load(result)`` after."""
        if self._loader.busy:
            self.show_error("Busy", "Still loading the previous files; try again when done "
                            "(or press Escape in the progress dialog to stop waiting).")
            return
        names = ", ".join(Path(p).name for p in paths)
        self._loading, self._on_load = paths, on_load
        self._progress = QtWidgets.QProgressDialog(f"Loading {names}…", "Cancel", 0, 0, self)
        self._progress.setWindowTitle("brainview")
        self._progress.setWindowModality(QtCore.Qt.WindowModal)
        self._progress.setMinimumDuration(200)
        # Cancel, or Escape: a dialog not yet active hides (rejected) without "canceled".
        self._progress.canceled.connect(self._loader.cancel)
        self._progress.rejected.connect(self._loader.cancel)
        self._progress.setValue(0)  # starts the timer that shows the dialog after 200 ms
        self.statusBar().showMessage(f"Loading {names}…")
        self._loader.start(function, name=names)

    def run_in_background(self, job, *, then, failed, name):
        """Run ``job()`` in a worker with a cancellable progress dialog; ``then()`` or ``failed(error)`` after.

        For work started from the property panel (switching a stat map to
        surface mode): the window stays responsive and Escape gives up.
        """
        if self._jobs.busy:
            failed(RuntimeError("still working on the previous change; wait or press Escape"))
            return
        progress = QtWidgets.QProgressDialog(f"Working on {name}…", "Cancel", 0, 0, self)
        progress.setWindowTitle("brainview")
        progress.setWindowModality(QtCore.Qt.WindowModal)
        progress.setMinimumDuration(200)
        progress.canceled.connect(self._jobs.cancel)
        progress.rejected.connect(self._jobs.cancel)
        progress.setValue(0)

        def finish(callback, *args):
            for signal in (self._jobs.finished, self._jobs.error):
                signal.disconnect()
            progress.canceled.disconnect()
            progress.rejected.disconnect()
            progress.close()
            progress.deleteLater()
            callback(*args)

        self._jobs.finished.connect(lambda result: finish(then))
        self._jobs.error.connect(lambda error, text: finish(failed, error))
        self._jobs.start(job, name=name)

    @property
    def load_timeout(self):
        """Seconds a load may take before the window gives up on it (the worker is abandoned)."""
        return self._loader.timeout

    @load_timeout.setter
    def load_timeout(self, seconds):
        self._loader.timeout = float(seconds)

    def _load_done(self, result):
        on_load = self._on_load
        try:
            on_load(result)
        finally:
            self._on_load = self._add_loaded

    def _finish_progress(self):
        if self._progress is not None:
            self._progress.canceled.disconnect()  # closing a progress dialog emits "canceled"
            self._progress.rejected.disconnect()
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self.statusBar().clearMessage()

    def _add_loaded(self, opened):
        self._finish_progress()
        layers = opened.layers
        if opened.notes:
            self.statusBar().showMessage(" ".join(opened.notes), 8000)
        if not self._torn_down:
            # The list follows each addition quietly: one panel is built, for the last layer.
            self.layer_list.blockSignals(True)
            try:
                for layer in layers:
                    self.figure.add(layer)
            except Exception as error:
                self.show_error("Cannot show file", f"{type(error).__name__}: {error}")
            finally:
                self.layer_list.blockSignals(False)
            if layers and layers[-1] in self.figure.layers:
                self.select_layer(layers[-1])
                if self._selected is not layers[-1]:
                    self._select(layers[-1])
                    self._update_buttons()
            if layers:
                remember_recent(self._loading)
        self.loaded.emit()

    def _load_failed(self, error, text):
        self._finish_progress()
        if isinstance(error, LoadAbandoned):
            if text.startswith("Cancelled"):
                self.statusBar().showMessage(text, 8000)
            else:
                self.show_error("Gave up loading", text)
        elif not self._torn_down:
            names = ", ".join(f"'{Path(p).name}'" for p in self._loading)
            self.show_error("Cannot open file", f"Could not open {names}:\n\n{error}")
        self.loaded.emit()

    def show_error(self, title, text):
        """A modal error dialog (the scene is left as it was)."""
        self.statusBar().showMessage(text.splitlines()[0] if text else title, 8000)
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Critical, title, text,
                                    QtWidgets.QMessageBox.Ok, self)
        box.exec_()

    def dragEnterEvent(self, event):
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    @_guarded
    def dropEvent(self, event):
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_files(paths)

    # ------------------------------------------------------------ picking

    def _on_mouse_move(self, interactor, event):
        if QtWidgets.QApplication.mouseButtons() != QtCore.Qt.NoButton:
            return  # rotating or zooming: no picking
        x, y = interactor.GetEventPosition()
        height = interactor.GetRenderWindow().GetSize()[1]
        self._pick_at = (x, height - 1 - y)
        self._pick_timer.start()

    def _place_camera(self):
        if not self._torn_down and not self.figure.closed:
            self.figure._apply_camera()

    def _set_interacting(self, interacting):
        self.figure.interacting = interacting
        if not interacting:
            self.render_now()  # the full-detail frame once the mouse is released

    def _pick_pending(self):
        if self._pick_at is not None and not self._torn_down:
            self.report_at(*self._pick_at)

    def report_at(self, x, y):
        """Show in the status bar what is under view pixel ``(x, y)`` (top-left origin)."""
        try:
            result = self.figure.pick(x, y)
        except Exception as error:  # never let the status bar kill the app
            self.status_label.setText(f"pick failed: {error}")
            return None
        self.last_pick = result
        self.status_label.setText(result.describe() or "background")
        return result

    def grab_all(self):
        """The whole window as a QImage, the 3-D view included.

        ``QWidget.grab`` cannot read the OpenGL view (VTK draws it natively),
        so the figure's own rendering is painted over the view's place.
        """
        image = self.grab().toImage()
        if not self.view.isVisible():
            return image
        pixels = np.ascontiguousarray(self.figure.screenshot(size=tuple(self.figure.window.GetSize())))
        height, width, _ = pixels.shape
        view = QtGui.QImage(pixels.data, width, height, 3 * width, QtGui.QImage.Format_RGB888)
        painter = QtGui.QPainter(image)
        painter.drawImage(self.view.mapTo(self, QtCore.QPoint(0, 0)), view)
        painter.end()
        return image

    # ------------------------------------------------------------ sessions, scripts, movies (File menu)
    # Each action is the library call a script would make: bv.load_scene,
    # bv.save_scene, bv.export_script, bv.movie.

    @_guarded
    def save_session_dialog(self):
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save session", "scene.bvscene", _SESSION_FILTER)
        if path:
            self.save_session(path if is_session(path) else path + ".bvscene")

    @_guarded
    def save_session(self, path):
        """Write the scene to a scene file: :func:`brainview.export.scene_file.save_scene`."""
        from ..export.scene_file import save_scene

        save_scene(self.figure, path)
        remember_recent([path])
        self.statusBar().showMessage(f"Saved session {path}", 4000)

    @_guarded
    def open_session_dialog(self):
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open session", "", _SESSION_FILTER)
        if path:
            self.open_session(path)

    @_guarded
    def open_session(self, path):
        """Replace the scene by a scene file's (read in the loader: :func:`~brainview.export.scene_file.load_scene`).

        The window keeps its figure (``fig`` in scripts and the console stays
        valid): the loaded layers, camera, texts and colour bars move into it.
        """
        from ..export.scene_file import load_scene, scene_references

        path = str(path)
        outside = scene_references(path, outside_only=True)
        if outside and not self._allow_outside_files(path, outside):
            return
        self._start_load([path], functools.partial(load_scene, path, allow_outside=bool(outside)),
                         self._adopt_session)

    def _allow_outside_files(self, path, outside):
        """Ask before a scene reads files outside its folder (a scene from someone else may probe)."""
        listed = "\n".join(str(name) for name in outside[:10]) + ("\n..." if len(outside) > 10 else "")
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Question, "Files outside the scene's folder",
                                    f"{Path(path).name} reads {len(outside)} file(s) outside its folder:\n"
                                    f"{listed}\n\nOpen them? Say yes only for a scene you saved.",
                                    QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.No, self)
        return box.exec_() == QtWidgets.QMessageBox.Yes

    def _adopt_session(self, loaded):
        self._finish_progress()
        try:
            if not self._torn_down:
                self._replace_scene(loaded)
                remember_recent(self._loading)
                self.statusBar().showMessage(f"Opened session {self._loading[0]}", 4000)
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
            fig.colorbar(bar["layer"], title=bar["title"], n_labels=bar["n_labels"])
        if layers:
            self.select_layer(layers[-1])

    @_guarded
    def export_script_dialog(self):
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export as Python script", "brainview_scene.py",
                                                        "Python scripts (*.py)")
        if path:
            self.export_script(path if path.endswith(".py") else path + ".py")

    @_guarded
    def export_script(self, path):
        """Write the ``bv.*`` calls that rebuild the scene: :func:`brainview.export.script.export_script`."""
        from ..export.script import export_script

        export_script(self.figure, path)
        self.statusBar().showMessage(f"Exported {path}", 4000)

    @_guarded
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
        self.statusBar().showMessage(f"Saved movie {path}" if written else "Movie cancelled", 6000)
        self._on_changed(None)
        return written

    def _fill_recent_menu(self):
        self.recent_menu.clear()
        paths = recent_files()
        for path in paths:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda checked=False, path=path: self.open_recent(path))
        if not paths:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    @_guarded
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

    @_guarded
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

    @_guarded
    def show_about(self):
        from .about import about_text, show_text_dialog

        show_text_dialog(self, "About brainview", about_text(self.view.GetRenderWindow()))

    @_guarded
    def show_shortcuts(self):
        from .about import shortcuts_text, show_text_dialog

        show_text_dialog(self, "Keyboard shortcuts", shortcuts_text(self.actions), rich=True)

    # ------------------------------------------------------------ lifetime

    def closeEvent(self, event):
        # A load still running is abandoned, never waited for (its thread is a daemon).
        self._loader.cancel(report=False)
        self._teardown()
        super().closeEvent(event)
        self.closed.emit()

    def _teardown(self):
        if self._torn_down:
            return
        self._torn_down = True
        self._pick_timer.stop()
        self._idle_timer.stop()
        self._quiet_timer.stop()
        self._finish_progress()
        self.figure.observe(self._on_changed, "changed", remove=True)
        self.figure.observe(self._on_layers, "layers.items", remove=True)
        self.figure.observe(self._on_colorbars, "colorbars.items", remove=True)
        self._dispose_panel()
        self._close_console()
        self.ortho.detach()
        self._selected = None
        self._show_colorbar()  # the figure goes back to the script without the window's bar
        self.figure._unhost()
        self.view.Finalize()
        remove_error_hook()
