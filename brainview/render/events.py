"""Scripts that react to the user: pick and key callbacks of a figure, and the interactors that call them.

``fig.on_pick(callback)`` calls ``callback(result)`` with the
:class:`~brainview.picking.PickResult` of every click on the scene;
``fig.on_key("r", callback)`` calls ``callback(event)`` when the key is
pressed over it. The clicks and keys come from any VTK interactor bound to
the figure with :func:`bind_interactor` (an off-screen
``vtkRenderWindowInteractor`` in scripts and tests), the notebook widget
(:mod:`brainview.render.notebook`) and the desktop app's 3-D view
(:mod:`brainview.gui.view3d`, which picks on its render thread and calls the
callbacks on the GUI thread) all dispatch through here, so a callback sees
the same record everywhere. ``fig.click((x, y))`` and
``fig.press_key(key)`` are the scripted click and key press.

A click is a left-button press and release less than :data:`CLICK_SLOP`
pixels apart: a drag rotates the camera and calls no pick callback.

Examples
--------
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(100, 100), antialias=False)
>>> _ = fig.add(Points([[0, 0, 0]], size=40))
>>> picked = []
>>> _ = fig.on_pick(lambda result: picked.append(result.item_info))
>>> _ = fig.click((50, 50))
>>> picked
[{'marker': 0}]
>>> fig.close()
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from ..errors import BrainviewTypeError, BrainviewValueError, describe

__all__ = ["CLICK_SLOP", "FigureEvents", "KeyEvent", "bind_interactor"]

#: Pixels the mouse may move between press and release for a click (more: a drag).
CLICK_SLOP = 3


@dataclass(frozen=True)
class KeyEvent:
    """A key pressed over a figure.

    Attributes
    ----------
    key : str
        The key, as VTK and Qt name it: ``"r"``, ``"space"``, ``"Up"``, ``"Escape"``.
    xy : (float, float) or None
        The mouse pixel (top-left origin) when the key was pressed, if known.
    figure : Figure
    """

    key: str
    xy: tuple | None
    figure: object

    def pick(self):
        """The :class:`~brainview.picking.PickResult` under the mouse (empty when unknown)."""
        from ..picking import PickResult

        return PickResult() if self.xy is None else self.figure.pick(self.xy)


def _check_callback(callback, name):
    if not callable(callback):
        raise BrainviewTypeError(f"{name}: expected a function to call, got {describe(callback)}.")
    return callback


def _check_key(key):
    if not isinstance(key, str) or not key or key != key.strip():
        raise BrainviewValueError(
            f"key: expected a key name such as 'r', 'space', 'Up' or 'Escape', got {key!r}.")
    return key


class FigureEvents:
    """Pick and key callbacks (a base of :class:`~brainview.scene.Figure`)."""

    def _callbacks(self):
        if not hasattr(self, "_event_callbacks"):
            self._event_callbacks = {"pick": [], "key": {}}
        return self._event_callbacks

    def on_pick(self, callback):
        """Call ``callback(result)`` with the :class:`~brainview.picking.PickResult` of each click.

        Clicks come from the desktop app's 3-D view, the notebook widget, an
        interactor bound with :func:`bind_interactor`, or :meth:`click`.
        Callbacks run in the order they were added; a click on the background
        gives an empty result (``result.world_xyz is None``).

        Parameters
        ----------
        callback : callable
            Called with one argument; its return value is ignored.

        Returns
        -------
        callable
            ``callback`` itself, so ``on_pick`` can decorate a function.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(40, 40))
        >>> @fig.on_pick
        ... def show(result):
        ...     print(result.world_xyz)
        >>> _ = fig.click((20, 20))
        None
        >>> fig.close()
        """
        self._callbacks()["pick"].append(_check_callback(callback, "callback"))
        return callback

    def on_key(self, key, callback):
        """Call ``callback(event)`` (a :class:`KeyEvent`) when ``key`` is pressed over the figure.

        Parameters
        ----------
        key : str
            The key's name as VTK gives it: a character (``"r"``, ``"1"``) or
            a name (``"space"``, ``"Up"``, ``"Escape"``, ``"F5"``).
        callback : callable
            Called with the :class:`KeyEvent`; ``event.pick()`` tells what is
            under the mouse.

        Returns
        -------
        callable
            ``callback``.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(40, 40))
        >>> _ = fig.on_key("r", lambda event: print("pressed", event.key))
        >>> fig.press_key("r")
        pressed r
        >>> fig.close()
        """
        self._callbacks()["key"].setdefault(_check_key(key), []).append(_check_callback(callback, "callback"))
        return callback

    def remove_callback(self, callback):
        """Stop calling ``callback`` (for picks and every key); a brainview error if it was never added.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(40, 40))
        >>> f = fig.on_pick(print)
        >>> fig.remove_callback(f)
        >>> fig.close()
        """
        callbacks = self._callbacks()
        lists = [callbacks["pick"], *callbacks["key"].values()]
        found = [entries for entries in lists if callback in entries]
        if not found:
            raise BrainviewValueError(f"callback: {describe(callback)} is not a pick or key callback of this figure.")
        for entries in found:
            while callback in entries:
                entries.remove(callback)

    def click(self, xy):
        """Click pixel ``xy`` = ``(x, y)`` (top-left origin): pick there and call the pick callbacks.

        Returns
        -------
        PickResult

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(40, 40))
        >>> fig.click((1, 1)).world_xyz is None
        True
        >>> fig.close()
        """
        result = self.pick(xy)
        self._call_pick_callbacks(result)
        return result

    def _call_pick_callbacks(self, result):
        """Call the pick callbacks with ``result`` (the app picks on its render thread, calls here)."""
        for callback in list(self._callbacks()["pick"]):
            callback(result)

    def press_key(self, key, *, xy=None):
        """Press ``key`` over the figure (the mouse at pixel ``xy`` if given): call its key callbacks.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(40, 40))
        >>> fig.press_key("x")  # no callback for "x": nothing happens
        >>> fig.close()
        """
        event = KeyEvent(_check_key(key), None if xy is None else tuple(float(v) for v in xy), self)
        for callback in list(self._callbacks()["key"].get(key, ())):
            callback(event)

    @property
    def has_callbacks(self):
        """Whether any pick or key callback is registered."""
        callbacks = self._callbacks()
        return bool(callbacks["pick"]) or any(callbacks["key"].values())


def bind_interactor(figure, interactor):
    """Dispatch clicks and key presses of a VTK interactor to ``figure``'s callbacks.

    The interactor's own style keeps rotating and zooming: the observers only
    watch. Works for ``QVTKRenderWindowInteractor`` (the app) and for an
    off-screen ``vtkRenderWindowInteractor`` driven by events. Set the
    interactor's style before binding: a style grabs the mouse on a press,
    so the release is seen through the style's ``EndInteractionEvent``.

    Parameters
    ----------
    figure : Figure
        Held weakly: binding does not keep a closed figure alive.
    interactor : vtkRenderWindowInteractor

    Returns
    -------
    list of int
        The observer tags (on the interactor, its style, the interactor).
    """
    ref = weakref.ref(figure)
    pressed = {}

    def top_left(xy):
        height = interactor.GetRenderWindow().GetSize()[1]
        return float(xy[0]), float(height - 1 - xy[1])

    def on_press(caller, event):
        pressed["xy"] = caller.GetEventPosition()

    def on_release(caller, event):
        start, end = pressed.pop("xy", None), interactor.GetEventPosition()
        target = ref()
        if start is None or target is None or target.closed or not target.has_callbacks:
            return
        if max(abs(start[0] - end[0]), abs(start[1] - end[1])) < CLICK_SLOP:
            target.click(top_left(end))

    def on_key(caller, event):
        target = ref()
        key = caller.GetKeySym() or caller.GetKeyCode()
        if target is not None and not target.closed and key:
            target.press_key(key, xy=top_left(caller.GetEventPosition()))

    style = interactor.GetInteractorStyle()
    return [interactor.AddObserver("LeftButtonPressEvent", on_press, 1.0),
            style.AddObserver("EndInteractionEvent", on_release),
            interactor.AddObserver("KeyPressEvent", on_key, 1.0)]
