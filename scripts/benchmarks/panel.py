"""The property panel on a selection change: the TraitsUI view of a layer built, shown, and disposed.

Timed: :func:`brainview.gui.panel.edit_layer` of a stat map and of a
connectome (the panel with the most rows) put in a scroll area, the events
processed, then the panel disposed — the GUI-thread work of selecting another
layer in the app. Naive: the same with the TraitsUI ``View`` generated again
from the trait metadata at every selection (the panel keeps one per layer
class and editor choice). Target: 0.1 s (issue 24: no input waits longer).
Runs offscreen without a display.
"""

import statistics
import sys
import time
from pathlib import Path


def _median(function, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeat=5):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
    from brainview.gui import panel
    from PyQt5 import QtWidgets
    from test_api import VERBS

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["benchmark"])
    host = QtWidgets.QScrollArea()
    host.setWidgetResizable(True)
    host.resize(380, 800)
    host.show()

    def select(layer, *, fresh_view=False):
        if fresh_view:
            panel._VIEWS.clear()
        shown = panel.edit_layer(layer, report=lambda error: None)
        host.setWidget(shown)
        app.processEvents()
        shown.dispose()
        host.takeWidget().deleteLater()
        app.processEvents()

    rows = []
    for kind in ("stat_map", "connectome"):
        args, options, cls = VERBS[kind]
        layer = cls(*args(), **options)
        select(layer)  # the first selection imports TraitsUI's editors
        runs = max(repeat, 3) * 2
        cached = _median(lambda: select(layer), runs)
        fresh = _median(lambda: select(layer, fresh_view=True), runs)
        rows.append(dict(name=f"panel: select a {kind.replace('_', ' ')}", median_s=cached, target_s=0.1,
                         naive_median_s=fresh, naive="TraitsUI View generated per selection"))
    host.close()
    return rows
