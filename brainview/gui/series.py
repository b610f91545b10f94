"""Stepping through 4-D images (and per-vertex data with several columns) in the app.

A "4-D" toolbar holds a volume spin box, previous / next / play buttons and
their keys (``,`` and ``.`` step, Ctrl+P plays or pauses). They drive the
*series layer*: the selected layer when it has several volumes (or columns),
else the top-most visible layer that has. Every step is the library call a
script makes, ``layer.volume = k`` (``layer.column = k`` for per-vertex data):
the 2-D views re-sample that layer only, the 3-D view draws when the event
loop is idle, and the location panel's time-series plot moves its marker.

Playing steps on a timer (:data:`PLAY_INTERVAL_MS`), wrapping at the end, and
never queues work: a tick that finds the previous step not yet drawn (a 2-D
refresh or a 3-D render still pending) is skipped, so a slow scene plays
slower instead of freezing the window.
"""

from __future__ import annotations

from PyQt5 import QtCore, QtGui, QtWidgets

from .guards import on_gui_thread

#: Milliseconds between two volumes while playing.
PLAY_INTERVAL_MS = 200

#: ``(trait, property giving the count)`` of the layers the app steps through.
STEPPED = (("volume", "n_volumes"), ("column", "n_columns"))


def steps_of(layer):
    """``(trait name, count)`` of what a layer steps through, or None (one volume, no columns).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> steps_of(Slices((np.zeros((2, 2, 2, 5)), np.eye(4)), volume=0))
    ('volume', 5)
    >>> steps_of(Slices((np.zeros((2, 2, 2)), np.eye(4)))) is None
    True
    """
    for name, count in STEPPED:
        if layer is not None and layer.trait(name) is not None:
            n = getattr(layer, count, None)
            if isinstance(n, int) and n > 1:
                return name, n
    return None


def series_layer(layers, selected=None):
    """The layer the 4-D controls drive: ``selected`` if it steps, else the top-most visible one that does."""
    if selected is not None and steps_of(selected):
        return selected
    for layer in reversed(list(layers)):
        if getattr(layer, "visible", False) and steps_of(layer):
            return layer
    return None


class SeriesControls(QtCore.QObject):
    """The window's 4-D toolbar, keys and play timer (see the module docstring).

    Parameters
    ----------
    window : MainWindow
        Uses its ``figure``, ``ortho``, ``actions``, ``statusBar`` and
        ``render_pending``.

    Attributes
    ----------
    layer : Layer or None
        The series layer.
    spin : QSpinBox
        The volume (or column) shown.
    timer : QTimer
        The play timer (its interval: :data:`PLAY_INTERVAL_MS`).
    """

    def __init__(self, window):
        super().__init__(window)
        self.window, self.layer, self._trait, self._observed = window, None, None, ""
        self._watched = None  # the layer observed: the series layer, else the one that may become it
        self.spin = QtWidgets.QSpinBox()
        self.spin.setKeyboardTracking(False)  # typing "12" is one step, not two
        self.spin.setToolTip("The volume shown (of the selected 4-D layer)")
        self.spin.valueChanged.connect(self._typed)
        self.label = QtWidgets.QLabel(" Volume ")
        self.count = QtWidgets.QLabel()
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.actions = self._build_actions(window)
        toolbar = window.addToolBar("4-D")
        toolbar.setObjectName("series")
        for widget in (self.label, self.spin, self.count):
            toolbar.addWidget(widget)
        for key in ("previous_volume", "play", "next_volume"):
            toolbar.addAction(self.actions[key])
        window.ortho.location.series.picked.connect(self.show_index)  # a click on the time series
        window.figure.observe(self._on_layers, "layers.items")
        self.retarget()

    def _build_actions(self, window):
        style = window.style()
        made = {}
        for key, text, icon, keys, slot in (
            ("previous_volume", "Previous volume", QtWidgets.QStyle.SP_MediaSeekBackward, ",",
             lambda: self.step(-1)),
            ("play", "Play / pause volumes", QtWidgets.QStyle.SP_MediaPlay, "Ctrl+P", self.toggle),
            ("next_volume", "Next volume", QtWidgets.QStyle.SP_MediaSeekForward, ".", lambda: self.step(1)),
        ):
            act = QtWidgets.QAction(style.standardIcon(icon), text, window)
            act.setShortcut(QtGui.QKeySequence(keys))
            act.setToolTip(f"{text} ({keys}) of the selected 4-D layer")
            act.triggered.connect(lambda checked=False, slot=slot: slot())
            window.addAction(act)  # the keys work wherever the focus is in the window
            made[key] = window.actions[key] = act
        made["play"].setCheckable(True)
        return made

    # ------------------------------------------------------------ which layer

    def retarget(self, selected=None):
        """Drive the series layer for this selection (None: keep the current choice if it still steps)."""
        if selected is None and self.layer in self.window.figure.layers and steps_of(self.layer):
            selected = self.layer
        layers = self.window.figure.layers
        layer = series_layer(layers, selected)
        # No layer steps: still hear the selected (or last) one, a 4-D image may replace its image.
        kept = self._watched if self._watched in layers else None
        watched = next((c for c in (layer, selected, kept) if c is not None), None)
        if layer is not self.layer or watched is not self._watched:
            self._follow(layer, watched)
        self._show()

    def _follow(self, layer, watched):
        self._unobserve()
        changed, self.layer, self._watched = layer is not self.layer, layer, watched
        found = steps_of(layer)
        self._trait = found[0] if found else None
        if watched is not None:
            # The step, and the data: a new image may have another number of volumes, or one.
            names = (self._trait, "img", "overlay")
            self._observed = ", ".join(n for n in names if n and watched.trait(n) is not None)
        if self._observed:
            watched.observe(self._on_trait, self._observed)
        if layer is None:
            self.set_playing(False)
        if changed:
            self.window.ortho.set_series_layer(layer)

    def _unobserve(self):
        if self._watched is not None and self._observed:
            self._watched.observe(self._on_trait, self._observed, remove=True)
        self._observed = ""

    @on_gui_thread
    def _on_layers(self, event):
        self.retarget()

    @on_gui_thread
    def _on_trait(self, event):
        if event.name == self._trait:
            self._show()
        else:
            self.retarget(self.window.selected_layer)

    def _show(self):
        found = steps_of(self.layer)
        enabled = found is not None
        for widget in (self.spin, self.label, *self.actions.values()):
            widget.setEnabled(enabled)
        self.spin.blockSignals(True)
        if enabled:
            self.label.setText(f" {found[0].capitalize()} ")
            self.spin.setRange(0, found[1] - 1)
            self.spin.setValue(int(getattr(self.layer, found[0]) or 0))
            self.count.setText(f" / {found[1]}  {self.layer.name} ")
        else:
            self.spin.setRange(0, 0)
            self.count.setText(" (no 4-D layer) ")
        self.spin.blockSignals(False)

    # ------------------------------------------------------------ stepping

    @property
    def index(self):
        """The volume (or column) the series layer shows, or None."""
        return None if self.layer is None else int(getattr(self.layer, self._trait) or 0)

    def show_index(self, index):
        """Show volume ``index`` of the series layer (a refused value goes to the status bar)."""
        if self.layer is None or index == self.index:
            return
        try:
            setattr(self.layer, self._trait, int(index))
        except Exception as error:  # the layer keeps its volume; the user reads why
            self.window.statusBar().showMessage(f"{self._trait}: {error}", 8000)
            self._show()

    def step(self, delta, *, wrap=False):
        """Show the volume ``delta`` steps on (stops at the ends unless ``wrap``)."""
        found = steps_of(self.layer)
        if found is None:
            return
        index = self.index + delta
        index = index % found[1] if wrap else min(max(index, 0), found[1] - 1)
        self.show_index(index)

    def _typed(self, value):
        self.show_index(value)

    # ------------------------------------------------------------ playing

    @property
    def playing(self):
        return self.timer.isActive()

    def toggle(self):
        """Play if paused, pause if playing."""
        self.set_playing(not self.playing)

    def set_playing(self, playing):
        playing = bool(playing) and steps_of(self.layer) is not None
        if playing and not self.timer.isActive():
            self.timer.start()
        elif not playing:
            self.timer.stop()
        act = self.actions["play"]
        act.blockSignals(True)
        act.setChecked(playing)
        act.setIcon(self.window.style().standardIcon(
            QtWidgets.QStyle.SP_MediaPause if playing else QtWidgets.QStyle.SP_MediaPlay))
        act.blockSignals(False)

    def _tick(self):
        if self.window.render_pending:
            return  # the previous volume is not drawn yet: skip a frame rather than queue work
        self.step(1, wrap=True)

    def detach(self):
        """Stop playing and following the figure (the window is closing)."""
        self.timer.stop()
        self.window.figure.observe(self._on_layers, "layers.items", remove=True)
        self._unobserve()
        self.layer = self._watched = None
