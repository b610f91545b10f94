"""The atlas panel: search the regions of every atlas, go to one, read the regions at the cursor.

FSLeyes' atlas panel in brainview's app (View > Atlas panel, ``Ctrl+Alt+A``):

- **Search.** Every region of every atlas layer of the figure (label
  atlases and 4-D probabilistic atlases, named by their label tables) is one
  ``"atlas - region"`` entry; the text typed in the search field keeps the
  entries that contain it, in any case.
- **Go to region.** A double-click on an entry, Enter (in the list, or in the
  search field: Up and Down choose the match), or the *Go to region* button moves the shared cursor (the 2-D views, the lightbox and the 3-D
  planes follow) to a point inside the region: the atlas's own
  :meth:`~brainview.layers.Atlas.centroids` (nilearn's cut coordinates moved
  inside the region; for 4-D maps the weighted centre of the map's main
  cluster). They are computed once per atlas data, in a worker thread
  (:class:`RegionCentres`), never on the GUI thread; the first request of
  an atlas waits for them, later ones move at once.
- **At the cursor.** For every atlas layer, the region at the cursor (a
  label atlas) or the value of each map there, largest first, non-zero only
  (a probabilistic atlas): single voxel lookups, updated at each cursor move.

The panel follows the figure: an atlas added or removed, renamed or given
new labels changes the entries; without any atlas it says so.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Atlas
>>> data = np.zeros((6, 4, 4), np.uint8); data[1:3, 1:3, 1:3], data[4:6, 1:3, 1:3] = 1, 2
>>> atlas = Atlas((data, np.eye(4)), labels=["Background", "left", "right"], smooth=0)
>>> entry_text(atlas, "right"), matches("atlas - Right", " RIGHT ")
('atlas - right', True)
>>> regions_at(atlas, (4.0, 1.0, 1.0)), regions_at(atlas, (0.0, 0.0, 0.0)), regions_at(atlas, (9.0, 0, 0))
([('right', None)], [], None)
"""

from __future__ import annotations

import math
import threading
import time

from PyQt5 import QtCore, QtGui, QtWidgets

from ..planes import Cursor
from .coordinates import inside_image
from .guards import on_gui_thread

#: The View menu's shortcut of the panel.
SHORTCUT = "Ctrl+Alt+A"
#: Seconds the region centres of one atlas may take before the worker is abandoned.
CENTRES_TIMEOUT_S = 120.0
#: How often (ms) the GUI thread looks for a worker's centres while one runs.
POLL_MS = 20
#: What the panel says when the figure has no atlas.
EMPTY_TEXT = ("No atlas in the figure.\n\nOpen a label atlas or a probabilistic atlas (File > Open, "
              "or drop the file here; a .tsv or .csv label table beside it names the regions) to "
              "search its regions, go to one and read the regions at the cursor.")
_ROLE = QtCore.Qt.UserRole
#: The atlas traits that change the entries (names, colours).
_FOLLOWED = "name,updated,colors"


# ----------------------------------------------------------------- the model side (no widgets)


def atlas_layers(figure):
    """The atlas layers of a figure (label and probabilistic), in drawing order."""
    return [layer for layer in figure.layers if layer.kind == "atlas"]


def entry_text(layer, region):
    """The search list's text of one region: ``"atlas - region"``."""
    return f"{layer.name} - {region}"


def matches(text, query):
    """Whether ``query`` (spaces around it ignored) is in ``text``, in any case; an empty query matches all."""
    return query.strip().casefold() in text.casefold()


def regions_at(layer, xyz):
    """What an atlas says at world ``xyz`` mm: ``[(region, value), ...]``; None outside its grid.

    A label atlas: ``[(name, None)]``, or ``[]`` in the background. A 4-D
    atlas: every map with a value there (above 0 for probabilities; the
    drawn regions of signed component maps), largest first. One voxel is
    read per map: cheap enough for every cursor move.
    """
    if not inside_image(layer.image, xyz):
        return None
    if layer.probabilistic:
        return list((layer.probabilities_at(xyz) or {}).items())
    name = layer.label_at(xyz)
    return [(name, None)] if name is not None else []


def data_key(layer):
    """What an atlas's region centres depend on: its image, names and map regions (compared by identity)."""
    return (layer.image, tuple(layer.names), *layer.map_regions)


def _same_key(a, b):
    return len(a) == len(b) and a[1] == b[1] and all(x is y for x, y in zip(a[:1] + a[2:], b[:1] + b[2:]))


class _Job:
    """One atlas's centres being computed in a worker thread: no Qt object is touched there."""

    def __init__(self, layer):
        self.layer, self.key = layer, data_key(layer)
        self.started = time.monotonic()
        self.result = self.error = None
        self.done = threading.Event()

    def run(self):
        try:
            self.result = self.layer.centroids()
        except Exception as error:  # reported on the GUI thread
            self.error = error
        finally:
            self.done.set()


class RegionCentres(QtCore.QObject):
    """A point inside every region of each atlas, computed in a worker once per atlas data.

    One daemon thread at a time computes an atlas's
    :meth:`~brainview.layers.Atlas.centroids`; the GUI thread collects the
    result with a timer (every :data:`POLL_MS` while a job runs). The worker
    never touches a Qt object, so a panel closed while it runs is never
    called back on a deleted object; a job past ``timeout`` s is abandoned
    (the thread is left to itself, its result dropped). ``ready(layer)`` is
    emitted when an atlas's centres are known, ``failed(layer, text)`` when
    they cannot be computed.
    """

    ready = QtCore.pyqtSignal(object)
    failed = QtCore.pyqtSignal(object, str)

    def __init__(self, parent=None, *, timeout=CENTRES_TIMEOUT_S):
        super().__init__(parent)
        self.timeout = float(timeout)
        self._cache = {}  # layer -> (data key, {region: (x, y, z)})
        self._queue = []
        self._job = None
        self._kept = None  # the atlases whose centres may be kept (None: any)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self):
        """True while a worker computes centres (or some wait for it)."""
        return self._job is not None or bool(self._queue)

    def get(self, layer):
        """``{region: (x, y, z)}`` of ``layer`` when known for its current data, else None (nothing is computed)."""
        cached = self._cache.get(layer)
        if cached is not None and _same_key(cached[0], data_key(layer)):
            return cached[1]
        return None

    def request(self, layer):
        """Compute ``layer``'s centres in the worker unless they are known or on their way."""
        if self.get(layer) is not None or layer in self._queue:
            return
        if self._job is not None and self._job.layer is layer and _same_key(self._job.key, data_key(layer)):
            return
        self._queue.append(layer)
        self._next()

    def keep_only(self, layers):
        """Forget the atlases not in ``layers`` (removed from the figure)."""
        self._kept = list(layers)
        self._cache = {layer: value for layer, value in self._cache.items() if layer in layers}
        self._queue = [layer for layer in self._queue if layer in layers]

    def stop(self):
        """Abandon the running worker and forget what waits (the panel is going)."""
        self._queue.clear()
        self._job = None
        self._timer.stop()

    def _next(self):
        if self._job is not None or not self._queue:
            return
        self._job = job = _Job(self._queue.pop(0))
        threading.Thread(target=job.run, daemon=True, name=f"brainview-atlas-centres {job.layer.name}").start()
        self._timer.start()

    def _poll(self):
        job = self._job
        if job is None:
            self._timer.stop()
            return
        if not job.done.is_set():
            if time.monotonic() - job.started > self.timeout:
                self._finish(job, f"gave up after {self.timeout:g} s")
            return
        self._finish(job, None)

    def _finish(self, job, gave_up):
        self._job = None
        self._timer.stop()
        layer = job.layer
        if self._kept is not None and layer not in self._kept:
            pass  # removed while the worker ran: dropped
        elif gave_up is None and not _same_key(job.key, data_key(layer)):
            self._queue.insert(0, layer)  # the atlas changed while the worker ran: once more, on the new data
        elif gave_up is not None or job.error is not None:
            error = job.error
            self.failed.emit(layer, gave_up or f"{type(error).__name__}: {error}")
        else:
            self._cache[layer] = (job.key, job.result)
            self.ready.emit(layer)
        self._next()


# ----------------------------------------------------------------- the panel


def _swatches(layer):
    """``{region: QIcon}``: a square of each region's drawn colour."""
    icons = {}
    for region, rgba in zip(layer.names, layer.region_colors):
        pixmap = QtGui.QPixmap(12, 12)
        pixmap.fill(QtGui.QColor(int(rgba[0]), int(rgba[1]), int(rgba[2])))
        icons[region] = QtGui.QIcon(pixmap)
    return icons


class AtlasPanel(QtWidgets.QWidget):
    """Search the regions of every atlas of ``figure``, go to one, read the regions at the cursor.

    Parameters
    ----------
    figure : Figure
        Its atlas layers are listed; the panel follows them.
    cursor : brainview.planes.Cursor, optional
        Shared with the views (a new one by default).

    Attributes
    ----------
    search : QLineEdit
        Filters the entries as you type (case-insensitive substring).
    results : QListWidget
        One ``"atlas - region"`` entry per region; a double-click or Enter goes there.
    go_button : QPushButton
        Goes to the current entry's region.
    at_cursor : QTreeWidget
        One row per atlas: its region at the cursor, or its maps' values there (children).
    empty : QLabel
        Shown instead of the rest when the figure has no atlas.
    message : QLabel
        What a "go to" is waiting for, or why it could not go.
    centres : RegionCentres
        The region centres, per atlas data.
    readings : dict
        ``{atlas name: regions_at(...)}`` at the cursor, as shown.
    """

    #: ``(atlas name, region, (x, y, z))`` once the cursor went to a region.
    arrived = QtCore.pyqtSignal(str, str, tuple)

    def __init__(self, figure, parent=None, *, cursor=None):
        super().__init__(parent)
        self.figure = figure
        self.cursor = cursor if cursor is not None else Cursor()
        self.readings = {}
        self._watched = []
        self._icons = {}  # atlas -> {region: its colour swatch}
        self._pending = None  # (layer, region) waiting for its atlas's centres
        self._detached = False
        self._stale = False  # the cursor moved while the panel was hidden
        self.centres = RegionCentres(self)
        self.centres.ready.connect(self._centres_ready)
        self.centres.failed.connect(self._centres_failed)
        self._rebuild_timer = QtCore.QTimer(self)  # many layer changes in one go: one rebuild
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self._rebuild)
        self._build()
        self.cursor.observe(self._on_cursor, "position")
        figure.observe(self._on_layers, "layers.items")
        self._rebuild()

    def _build(self):
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        self.pages = QtWidgets.QStackedWidget()
        column.addWidget(self.pages)
        self.empty = QtWidgets.QLabel(EMPTY_TEXT)
        self.empty.setObjectName("atlas_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(QtCore.Qt.AlignCenter)
        self.empty.setStyleSheet("color: #555555; padding: 12px;")
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self._build_content())

    def _build_content(self):
        content = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("Search the regions of every atlas…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type part of a region's (or an atlas's) name, in any case")
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._go_to_current)
        self.search.installEventFilter(self)  # Up and Down choose among the matches
        column.addWidget(self.search)
        self.results = QtWidgets.QListWidget()
        self.results.setToolTip("Double-click (or Enter) moves the cursor into the region")
        self.results.itemActivated.connect(self._go_to_item)
        self.results.currentItemChanged.connect(self._on_current)
        column.addWidget(self.results, 3)
        row = QtWidgets.QHBoxLayout()
        self.count = QtWidgets.QLabel("")
        row.addWidget(self.count, 1)
        self.go_button = QtWidgets.QPushButton("Go to region")
        self.go_button.setToolTip("Move the cursor to a point inside the selected region")
        self.go_button.clicked.connect(lambda checked=False: self._go_to_current())
        row.addWidget(self.go_button)
        column.addLayout(row)
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        column.addWidget(self.message)
        self.position = QtWidgets.QLabel("")
        self.position.setStyleSheet("font-weight: bold;")
        column.addWidget(self.position)
        self.at_cursor = QtWidgets.QTreeWidget()
        self.at_cursor.setColumnCount(2)
        self.at_cursor.setHeaderLabels(["atlas / region", "value"])
        self.at_cursor.setRootIsDecorated(False)
        self.at_cursor.setSelectionMode(QtWidgets.QAbstractItemView.NoSelection)
        self.at_cursor.header().setStretchLastSection(False)
        self.at_cursor.header().setSectionResizeMode(0, QtWidgets.QHeaderView.Stretch)
        self.at_cursor.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeToContents)
        column.addWidget(self.at_cursor, 2)
        return content

    # ------------------------------------------------------------ the figure's atlases

    @property
    def atlases(self):
        """The atlas layers shown (those of the figure)."""
        return atlas_layers(self.figure)

    @on_gui_thread
    def _on_layers(self, event):
        if not self._detached:
            self._rebuild()

    @on_gui_thread
    def _on_layer_trait(self, event):
        if not self._detached:
            self._rebuild_timer.start()  # renamed, new labels, maps or colours: the entries again

    def _watch(self, atlases):
        for layer in [layer for layer in self._watched if layer not in atlases]:
            layer.observe(self._on_layer_trait, _FOLLOWED, remove=True)
        for layer in [layer for layer in atlases if layer not in self._watched]:
            layer.observe(self._on_layer_trait, _FOLLOWED)
        self._watched = list(atlases)

    def _rebuild(self):
        """The entries of every atlas (keeping the search and the current entry), the readings."""
        self._rebuild_timer.stop()
        atlases = [] if self._detached else self.atlases
        self._watch(atlases)
        self.centres.keep_only(atlases)
        if self._pending is not None and self._pending[0] not in atlases:
            self._pending = None
            self.message.setText("")
        current = self.current_region()
        self.results.blockSignals(True)
        self.results.clear()
        self._icons = {layer: _swatches(layer) for layer in atlases}
        for layer in atlases:
            for region in layer.names:
                item = QtWidgets.QListWidgetItem(self._icons[layer][region], entry_text(layer, region))
                item.setData(_ROLE, (layer, region))
                self.results.addItem(item)
                if current == (layer, region):
                    self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        self.pages.setCurrentIndex(1 if atlases else 0)
        self._filter(self.search.text())
        self._show_readings()

    # ------------------------------------------------------------ search

    @property
    def shown_entries(self):
        """The texts of the entries the search keeps, in order."""
        return [item.text() for item in self._items() if not item.isHidden()]

    def _items(self):
        return [self.results.item(row) for row in range(self.results.count())]

    def _filter(self, text):
        items = self._items()
        for item in items:
            item.setHidden(not matches(item.text(), text))
        shown = [item for item in items if not item.isHidden()]
        current = self.results.currentItem()
        if shown and (current is None or current.isHidden()):
            self.results.setCurrentItem(shown[0])  # Enter in the search field goes to the first match
        elif not shown:
            self.results.setCurrentItem(None)
        if text.strip() and not shown:
            self.count.setText(f"No region matches '{text.strip()}'")
        else:
            self.count.setText(f"{len(shown)} of {len(items)} regions")
        self._update_button()

    def current_region(self):
        """``(atlas layer, region)`` of the current entry the search keeps, or None."""
        item = self.results.currentItem()
        if item is None or item.isHidden():
            return None
        return item.data(_ROLE)

    def _on_current(self, current, previous):
        self._update_button()
        chosen = self.current_region()
        if chosen is not None and self.isVisible() and not self._detached:
            self.centres.request(chosen[0])  # by the time of the double-click, often ready

    def _icon(self, layer, region):
        return self._icons.get(layer, {}).get(region, QtGui.QIcon())

    def eventFilter(self, watched, event):
        keys = {QtCore.Qt.Key_Down: 1, QtCore.Qt.Key_Up: -1}
        if watched is self.search and event.type() == QtCore.QEvent.KeyPress and event.key() in keys:
            shown = [item for item in self._items() if not item.isHidden()]
            if shown:
                row = shown.index(self.results.currentItem()) if self.results.currentItem() in shown else -1
                item = shown[max(0, min(len(shown) - 1, row + keys[event.key()]))]
                self.results.setCurrentItem(item)
                self.results.scrollToItem(item)
            return True
        return super().eventFilter(watched, event)

    def _update_button(self):
        self.go_button.setEnabled(self.current_region() is not None)

    # ------------------------------------------------------------ go to region

    def _go_to_item(self, item):
        if item is not None and not item.isHidden():
            self.results.setCurrentItem(item)
            self.go_to(*item.data(_ROLE))

    def _go_to_current(self):
        chosen = self.current_region()
        if chosen is not None:
            self.go_to(*chosen)

    def go_to(self, layer, region):
        """Move the cursor to a point inside ``region`` of atlas ``layer``.

        Returns True when the cursor moved now; False when the atlas's
        centres are being computed in a worker (the cursor moves once they
        are, unless another region was asked for meanwhile) or when the
        region has no point (a map that reaches its threshold nowhere).
        """
        centres = self.centres.get(layer)
        if centres is None:
            self._pending = (layer, region)
            self.message.setText(f"Finding the regions of {layer.name}…")
            self.centres.request(layer)
            return False
        self._pending = None
        xyz = centres.get(region)
        if xyz is None and region not in layer.names:
            self.message.setText(f"{region} is no longer a region of {layer.name} (its labels changed).")
            return False
        if xyz is None or not all(math.isfinite(v) for v in xyz):
            self.message.setText(f"{region} ({layer.name}) has no voxel above its threshold: nowhere to go.")
            return False
        self.message.setText("")
        self.cursor.position = xyz
        self.arrived.emit(layer.name, region, tuple(xyz))
        return True

    def _centres_ready(self, layer):
        if self._pending is not None and self._pending[0] is layer and not self._detached:
            self.go_to(*self._pending)

    def _centres_failed(self, layer, text):
        if self._pending is not None and self._pending[0] is layer:
            self._pending = None
            self.message.setText(f"Cannot find the regions of {layer.name}: {text}")

    # ------------------------------------------------------------ at the cursor

    @on_gui_thread
    def _on_cursor(self, event):
        if self.isVisible():
            self._show_readings()
        else:
            self._stale = True  # read when shown

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self._show_readings()

    def _show_readings(self):
        self._stale = False
        xyz = tuple(self.cursor.position)
        self.position.setText("At the cursor ({:.1f}, {:.1f}, {:.1f}) mm".format(*xyz))
        self.at_cursor.clear()
        self.readings = {}
        bold = QtGui.QFont(self.at_cursor.font())
        bold.setBold(True)
        for layer in [] if self._detached else self.atlases:
            try:
                reading = regions_at(layer, xyz)
            except Exception as error:  # a reading never ends the app
                reading, note = None, f"{type(error).__name__}: {error}"
            else:
                note = "outside the atlas" if reading is None else ("" if reading else "no region")
            self.readings[layer.name] = reading
            top = QtWidgets.QTreeWidgetItem([layer.name, note])
            top.setFont(0, bold)
            self.at_cursor.addTopLevelItem(top)
            if reading and not layer.probabilistic:
                top.setText(1, reading[0][0])
                top.setIcon(1, self._icon(layer, reading[0][0]))
            for region, value in reading if layer.probabilistic and reading else ():
                child = QtWidgets.QTreeWidgetItem([region, f"{value:.3g}"])
                child.setIcon(0, self._icon(layer, region))
                child.setData(1, _ROLE, value)
                child.setTextAlignment(1, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                top.addChild(child)
            top.setExpanded(True)

    # ------------------------------------------------------------ lifetime

    def detach(self):
        """Stop following the figure, its atlases and the cursor; abandon the worker (a second call does nothing)."""
        if self._detached:
            return
        self._detached = True
        self._rebuild_timer.stop()
        self.centres.stop()
        self._pending = None
        self.cursor.observe(self._on_cursor, "position", remove=True)
        self.figure.observe(self._on_layers, "layers.items", remove=True)
        self._watch([])


def install_atlas_panel(window):
    """Give ``window`` an atlas panel: a dock tabbed with the properties, closed until View > Atlas panel.

    The panel shares the window's cursor (``window.ortho.cursor``) and stops
    following the figure when the window closes. The View menu's toggle is
    ``window.actions["atlas_panel"]`` (:data:`SHORTCUT`).

    Returns
    -------
    AtlasPanel
    """
    panel = AtlasPanel(window.figure, cursor=window.ortho.cursor)
    dock = QtWidgets.QDockWidget("Atlases", window)
    dock.setObjectName("atlases")
    dock.setWidget(panel)
    window.addDockWidget(QtCore.Qt.LeftDockWidgetArea, dock)
    properties = window.findChild(QtWidgets.QDockWidget, "properties")
    if properties is not None:
        window.tabifyDockWidget(properties, dock)
    dock.hide()
    action = dock.toggleViewAction()
    action.setText("&Atlas panel")
    action.setShortcut(QtGui.QKeySequence(SHORTCUT))
    action.setToolTip("Search the regions of every atlas, go to one, read the regions at the cursor")
    action.toggled.connect(lambda shown: dock.raise_() if shown else None)
    window.actions["atlas_panel"] = action
    menu = next((act.menu() for act in window.menuBar().actions() if act.text() == "&View"), None)
    (menu if menu is not None else window).addAction(action)
    window.closed.connect(panel.detach)
    return panel
