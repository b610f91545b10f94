"""The live notebook view of a figure: frames rendered by the kernel, clicks and keys sent back.

``fig.widget()`` is a `jupyter_rfb <https://github.com/vispy/jupyter_rfb>`_
remote-frame-buffer widget (the optional extra ``brainview[notebook]``): the
kernel renders the figure off-screen and streams the frames; the browser
sends pointer, wheel and key events back. A drag rotates the camera, the
wheel zooms, a click calls the figure's :meth:`~brainview.scene.Figure.on_pick`
callbacks with the same :class:`~brainview.picking.PickResult` as the desktop
app, and keys call its :meth:`~brainview.scene.Figure.on_key` callbacks
(browser key names translated to VTK's: ``ArrowUp`` is ``Up``, ``" "`` is
``space``).

``fig.interactive()`` (the vtk.js page) needs no kernel but cannot call
Python back; this widget needs a running kernel and can.

Examples
--------
>>> import pytest; _ = pytest.importorskip("jupyter_rfb")
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(80, 80), antialias=False)
>>> _ = fig.add(Points([[0, 0, 0]], size=40))
>>> widget = figure_widget(fig)  # outside a notebook, jupyter_rfb prints its output area
RFBOutputContext()
>>> picked = []
>>> _ = fig.on_pick(lambda result: picked.append(result.item_info))
>>> widget.handle_event({"type": "pointer_down", "x": 40, "y": 40, "button": 1, "buttons": (1,)})
>>> widget.handle_event({"type": "pointer_up", "x": 40, "y": 40, "button": 1, "buttons": ()})
>>> picked
[{'marker': 0}]
>>> fig.close()
"""

from __future__ import annotations

from ..errors import BrainviewImportError
from .events import CLICK_SLOP

__all__ = ["KEY_NAMES", "figure_widget"]  # FigureWidget: made on first use (module __getattr__)

#: Browser ``KeyboardEvent.key`` names -> VTK key symbols (the names ``on_key`` uses).
KEY_NAMES = {"ArrowUp": "Up", "ArrowDown": "Down", "ArrowLeft": "Left", "ArrowRight": "Right",
             " ": "space", "Enter": "Return", "Backspace": "BackSpace", "PageUp": "Prior",
             "PageDown": "Next"}

#: Degrees of rotation per logical pixel dragged.
DEGREES_PER_PIXEL = 0.5


def _base_class():
    try:
        from jupyter_rfb import RemoteFrameBuffer
    except ImportError:
        raise BrainviewImportError(
            "fig.widget() needs jupyter_rfb: pip install 'brainview[notebook]' "
            "(or use fig.interactive(), which needs no kernel but cannot call Python back).") from None
    return RemoteFrameBuffer


def figure_widget(figure):
    """A new :class:`FigureWidget` of ``figure`` (a brainview error naming the extra when it is missing)."""
    return _widget_class()(figure)


_CLASS = []


def _widget_class():
    if not _CLASS:
        _CLASS.append(type("FigureWidget", (_FigureWidgetMixin, _base_class()), {"_event_compatibility": 2}))
    return _CLASS[0]


class _FigureWidgetMixin:
    """The figure's side of the widget: frames out, events in."""

    def __init__(self, figure):
        super().__init__(css_width=f"{figure.size[0]}px", css_height=f"{figure.size[1]}px")
        self._figure = figure
        self._frame_size = tuple(figure.size)
        self._logical_size = tuple(figure.size)
        self._press = None
        self._last = None

    def get_frame(self):
        """The figure rendered at the widget's size in device pixels."""
        if self._figure.closed:
            return None
        return self._figure.screenshot(size=self._frame_size)

    def handle_event(self, event):
        """Rotate, zoom, pick or press a key, as the browser says."""
        kind = event.get("type") or event.get("event_type")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None and not self._figure.closed:
            handler(event)

    def _frame_xy(self, event):
        (width, height), (logical_w, logical_h) = self._frame_size, self._logical_size
        return event["x"] * width / max(logical_w, 1), event["y"] * height / max(logical_h, 1)

    def _on_resize(self, event):
        ratio = float(event.get("ratio", event.get("pixel_ratio", 1.0)) or 1.0)
        self._logical_size = (max(1, round(event["width"])), max(1, round(event["height"])))
        self._frame_size = (max(1, round(event["width"] * ratio)), max(1, round(event["height"] * ratio)))
        self.request_draw()

    def _on_pointer_down(self, event):
        if event.get("button") == 1:
            self._press = self._last = (event["x"], event["y"])

    def _on_pointer_move(self, event):
        self._last = (event["x"], event["y"]) if self._press is None else self._last
        if self._press is None or 1 not in tuple(event.get("buttons", ())):
            return
        x0, y0 = self._last
        self._last = (event["x"], event["y"])
        self._figure.rotate(azimuth=-(event["x"] - x0) * DEGREES_PER_PIXEL,
                            elevation=(event["y"] - y0) * DEGREES_PER_PIXEL)
        self.request_draw()

    def _on_pointer_up(self, event):
        start, self._press = self._press, None
        if start is None or event.get("button") != 1:
            return
        if max(abs(event["x"] - start[0]), abs(event["y"] - start[1])) < CLICK_SLOP:
            self._figure.click(self._frame_xy(event))
        self.request_draw()

    def _on_wheel(self, event):
        self._figure.zoom(1.1 ** (-float(event.get("dy", 0.0)) / 100.0))
        self.request_draw()

    def _on_key_down(self, event):
        key = KEY_NAMES.get(event.get("key", ""), event.get("key", ""))
        if key:
            xy = None if self._last is None else self._frame_xy({"x": self._last[0], "y": self._last[1]})
            self._figure.press_key(key, xy=xy)
            self.request_draw()


def __getattr__(name):
    # ``FigureWidget`` subclasses jupyter_rfb's widget, made on first use: importing this module
    # needs no jupyter_rfb.
    if name == "FigureWidget":
        return _widget_class()
    raise AttributeError(name)
