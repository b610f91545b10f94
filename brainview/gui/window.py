"""The main window: 3-D view, layer list, property panel, toolbar, status bar.

When the 3-D view draws: a change of the scene (a layer's trait, the
camera, a layer added) renders once the event loop is idle, however many
changes came before (one frame for many). A cursor move in the 2-D views
moves the 3-D anatomy planes at once but draws them only once the cursor
has been still for :data:`CURSOR_QUIET_MS` (a drag or a held arrow key
renders once, at the end; the 2-D views and the status bar follow every
move). Turning the camera in the 3-D view draws at once (VTK's interactor).

The menus, toolbar and their actions are :class:`~brainview.gui.actions.WindowActions`;
loads and slow panel edits in the background are
:class:`~brainview.gui.background.BackgroundWork`: both mixins of :class:`MainWindow`.
The 4-D toolbar (volume spin box, keys, play) is :class:`~brainview.gui.series.SeriesControls`
(``window.series``).
"""

from __future__ import annotations

import functools

import numpy as np
from PyQt5 import QtCore, QtGui, QtWidgets
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera

from .. import _vtk
from ..errors import BrainviewError, BrainviewValueError
from ..render.events import bind_interactor
from .actions import WindowActions, guarded, is_session
from .atlas_panel import install_atlas_panel
from .background import BackgroundWork
from .common import install_error_hook, remove_error_hook
from .files import Choices, open_files
from .lightbox import LightboxView
from .loader import Loader
from .ortho import OrthoViews
from .panel import edit_layer
from .series import SeriesControls
from .sizing import fit_to_screen

_PICK_DELAY_MS = 40
#: How long (ms) the cursor must stay still before the 3-D view follows it: a drag, a held
#: arrow key or quick clicks render the 3-D scene once, after the last move.
CURSOR_QUIET_MS = 200


class MainWindow(WindowActions, BackgroundWork, QtWidgets.QMainWindow):
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
        self.atlas_panel = install_atlas_panel(self)  # a dock, View > Atlas panel
        self.series = SeriesControls(self)  # the 4-D toolbar, its keys and play timer
        self._build_status()
        self._loader = Loader(self)
        self._loader.finished.connect(self._load_done)
        self._loader.error.connect(self._load_failed)
        self._jobs = Loader(self)  # work started from the property panel
        self._on_load = self._add_loaded
        self._console = self._console_dock = None
        fit_to_screen(self, QtWidgets.QApplication.primaryScreen())  # 2-D views >= 300 px on 1600 x 1000
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
        bind_interactor(self.figure, self.view)  # the figure's on_pick / on_key callbacks
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
    LAYOUTS = {"3d": "3-D only", "2d": "2-D only", "1+3": "3-D + 2-D", "lightbox": "Lightbox"}

    def _build_layout(self):
        """The 3-D view and the linked 2-D views (:mod:`.ortho`), in a splitter; a toolbar switches."""
        self.ortho = OrthoViews(self.figure)
        self.ortho.status_changed.connect(lambda text: self.status_label.setText(text)
                                          if hasattr(self, "status_label") else None)
        self._splitter = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        self._splitter.addWidget(self.view)
        self._splitter.addWidget(self.ortho)
        self.lightbox = LightboxView(self.figure, cursor=self.ortho.cursor)  # slices in a grid (.lightbox)
        self._splitter.addWidget(self.lightbox)
        self.ortho.location.radiological.toggled.connect(self.lightbox.set_radiological)
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

    @guarded
    def set_layout(self, layout):
        """Show the 3-D view only (``"3d"``), the 2-D views only (``"2d"``), both (``"1+3"``) or the lightbox."""
        if layout not in self.LAYOUTS:
            raise ValueError(f"layout: expected one of {', '.join(map(repr, self.LAYOUTS))}, got {layout!r}.")
        self.view.setVisible(layout in ("3d", "1+3"))
        self.ortho.setVisible(layout in ("2d", "1+3"))
        self.lightbox.setVisible(layout == "lightbox")
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
    def render_pending(self):
        """True while a change waits to be drawn (a 2-D refresh or a 3-D render is scheduled)."""
        waiting_2d = self.ortho.isVisible() and self.ortho.pending  # hidden views draw when shown
        return waiting_2d or self._idle_timer.isActive() or self._quiet_timer.isActive()

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

    @guarded
    def _on_item_changed(self, item):
        row = self.layer_list.row(item)
        if 0 <= row < len(self.figure.layers):
            self.figure.layers[row].visible = item.checkState() == QtCore.Qt.Checked

    @guarded
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
        self.series.retarget(layer)
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

    @guarded
    def move_selected(self, step):
        """Move the selected layer ``step`` rows (changes drawing order)."""
        layer = self._selected
        if layer is not None:
            index = list(self.figure.layers).index(layer) + step
            if 0 <= index < len(self.figure.layers):
                self.figure.move(layer, index)

    @guarded
    def remove_selected(self):
        if self._selected is not None:  # the list follows: the next layer's panel, or none after the last
            self.figure.remove(self._selected)

    # ------------------------------------------------------------ files (loaded by BackgroundWork)

    @guarded
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

    @guarded
    def dropEvent(self, event):
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_dropped(paths, event.keyboardModifiers())

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

    # ------------------------------------------------------------ lifetime

    def closeEvent(self, event):
        # A load or a job still running is abandoned, never waited for (its thread is a daemon).
        self._stop_background_work()
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
        self.series.detach()
        self._dispose_panel()
        self._close_console()
        self.ortho.detach()
        self.lightbox.detach()
        self._selected = None
        self._show_colorbar()  # the figure goes back to the script without the window's bar
        self.figure._unhost()
        self.view.Finalize()
        remove_error_hook()
