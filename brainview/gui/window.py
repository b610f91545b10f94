"""The main window: 3-D view, layer list, property panel, toolbar, status bar.

The 3-D view (:class:`~brainview.gui.view3d.View3D`) draws on a thread of
its own: the GUI thread changes models (a layer's trait, the cursor, a layer
added) and never waits for VTK; the render thread re-syncs the drawings and
draws the next frame, one frame for however many changes came meanwhile.
Scripts and the console may still call the figure directly
(``fig.savefig``, ``fig.pick``): those calls run on the render thread and
wait for it.

The menus, toolbar and their actions are :class:`~brainview.gui.actions.WindowActions`;
loads and slow panel edits in the background are
:class:`~brainview.gui.background.BackgroundWork`: both mixins of :class:`MainWindow`.
The 4-D toolbar (volume spin box, keys, play) is :class:`~brainview.gui.series.SeriesControls`
(``window.series``).
"""

from __future__ import annotations

import functools

from PyQt5 import QtCore, QtWidgets

from .. import _vtk
from ..errors import BrainviewError, BrainviewValueError
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
from .view3d import View3D


class MainWindow(WindowActions, BackgroundWork, QtWidgets.QMainWindow):
    """A window showing one :class:`~brainview.scene.Figure` (see module doc).

    Attributes
    ----------
    figure : Figure
    view : View3D
        The 3-D view (its render thread draws ``figure`` while the window shows it).
    layer_list : QListWidget
        One checkable row per layer, in drawing order.
    last_pick : PickResult or None
        What the status bar shows.
    render_count : int
        Frames drawn in the 3-D view so far.
    """

    #: Emitted once the window closed and gave the figure back.
    closed = QtCore.pyqtSignal()
    #: Emitted when a load finished (added or failed).
    loaded = QtCore.pyqtSignal()
    #: Runs a function on the GUI thread (figure events fired by a script in another thread).
    _on_gui_thread = QtCore.pyqtSignal(object)

    def __init__(self, figure, parent=None):
        super().__init__(parent)
        self.figure = figure
        self.last_pick = None
        self._ui = None
        self._colorbar = None  # the bar the window shows for the selected layer
        self._selected = None
        self._adding_files = False  # True while a batch of opened files is added: no panel per file
        self._torn_down = False
        self._progress = None
        self._on_gui_thread.connect(lambda function: function(), QtCore.Qt.QueuedConnection)
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
        self.view = View3D(self.figure, self)  # hosts the figure on its render thread
        self.view.hovered.connect(self._show_pick)
        self.view.failed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.view.figure_closed.connect(self.close)
        self.view.drawn.connect(lambda: self._ui.refresh() if self._ui is not None else None)
        self._list_timer = QtCore.QTimer(self)  # names and ticks of the layer list, when idle
        self._list_timer.setSingleShot(True)
        self._list_timer.setInterval(0)
        self._list_timer.timeout.connect(self._sync_list)
        self._build_layout()

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

    def _gui_thread(self, function):
        """Call ``function()`` now on the GUI thread, or soon there from another thread."""
        if QtCore.QThread.currentThread() is self.thread():
            function()
        else:
            self._on_gui_thread.emit(function)

    def _on_changed(self, event):
        """The scene changed: the render thread draws a frame when free; the list follows when idle."""
        if self._torn_down:
            return
        self.view.request_render()  # thread-safe: a script in another thread may have changed it
        self._gui_thread(self._list_timer.start)

    def render_now(self):
        """Draw the 3-D view at once and wait for the frame (tests and screenshots; blocks)."""
        if self._torn_down:
            return
        self._sync_list()
        if self.figure.closed:
            self.close()
            return
        self.view.render_now()

    @property
    def render_pending(self):
        """True while a change waits to be drawn (a 2-D refresh, or a 3-D frame or its work)."""
        waiting_2d = self.ortho.isVisible() and self.ortho.pending  # hidden views draw when shown
        return waiting_2d or (self.view.isVisible() and self.view.runner.pending)

    @property
    def render_count(self):
        """Frames the render thread drew so far."""
        return self.view.runner.frames

    def _on_layers(self, event):
        self._gui_thread(lambda: None if self._torn_down else self._rebuild_list())

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
        if keep is not None:
            self.layer_list.setCurrentRow(layers.index(keep))
        self.layer_list.blockSignals(False)
        if keep is not self._selected and not self._adding_files:
            self._select(keep)  # one panel per batch of files: built once they are all added
        self._update_buttons()

    def _fill_item(self, item, layer):
        item.setText(f"{layer.name}  ·  {layer.kind}")
        item.setToolTip(repr(layer))
        item.setCheckState(QtCore.Qt.Checked if layer.visible else QtCore.Qt.Unchecked)

    def _sync_list(self):
        # Names and visibility may have changed from a script or the panel.
        if self._torn_down:
            return
        if self.figure.closed:
            self.close()
            return
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
            self._gui_thread(self._show_colorbar)

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

    def _show_pick(self, result):
        """Show a pick (made on the render thread, a PickResult or the exception) in the status bar."""
        if self._torn_down:
            return None
        if isinstance(result, Exception):  # never let the status bar kill the app
            self.status_label.setText(f"pick failed: {result}")
            return None
        self.last_pick = result
        self.status_label.setText(result.describe() or "background")
        return result

    def report_at(self, x, y):
        """Show in the status bar what is under view pixel ``(x, y)`` (top-left origin) and return it.

        A synchronous call: the pick runs on the render thread after the work
        queued so far, and this waits for it (the mouse's own hover picks do
        not wait: :attr:`View3D.hovered`).
        """
        try:
            result = self.figure.pick(x, y)
        except Exception as error:
            result = error
        return self._show_pick(result)

    def grab_all(self):
        """The whole window as a QImage, the 3-D view included (a fresh frame of it)."""
        if self.ortho.isVisible():
            self.ortho.draw_now()
        if self.view.isVisible():
            self.render_now()
        return self.grab().toImage()

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
        self._list_timer.stop()
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
        self.view.stop()  # after the frame or movie in progress; gives the figure back
        remove_error_hook()
