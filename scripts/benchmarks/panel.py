"""The property panel on a selection change: the TraitsUI view of a layer built, shown, and disposed.

Timed: :func:`brainview.gui.panel.edit_layer` of a stat map and of a
connectome (the panel with the most rows) put in a scroll area, the events
processed, then the panel disposed — the GUI-thread work of selecting another
layer in the app (GUI-thread CPU, and wall time, which a loaded machine
inflates). Naive: the same with the TraitsUI ``View`` generated again
from the trait metadata at every selection (the panel keeps one per layer
class and editor choice). Target: 0.1 s (issue 24: no input waits longer).
Runs offscreen without a display.
"""

import statistics
import sys
import time
from pathlib import Path


def _medians(function, runs):
    """Median wall time and median CPU time of the calling (GUI) thread."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.thread_time()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.thread_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


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
        wall, cpu = _medians(lambda: select(layer), runs)
        fresh_wall, fresh_cpu = _medians(lambda: select(layer, fresh_view=True), runs)
        what = f"panel: select a {kind.replace('_', ' ')}"
        rows.append(dict(name=f"{what} (GUI CPU)", median_s=cpu, target_s=0.1, naive_median_s=fresh_cpu,
                         naive="TraitsUI View generated per selection"))
        rows.append(dict(name=f"{what} (wall)", median_s=wall, naive_median_s=fresh_wall,
                         naive="TraitsUI View generated per selection"))
    host.close()
    return rows
