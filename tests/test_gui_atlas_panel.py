"""The atlas panel through the real widgets (issue 24): search across every atlas, "go to region",
the label or the probabilities at the cursor, the empty state, atlases added and removed; with the
trial's files (a 4-D probabilistic atlas with its .tsv, a label atlas with its .csv LUT)."""

import threading

import nibabel as nib
import numpy as np
import pytest

from brainview.layers import Atlas
from brainview.layers import atlas as atlas_module

from trial_files import write_trial_files

PROB = "HarvardOxford-cort-prob-3mm"
PROB_NAMES = ["Frontal", "Parietal", "Temporal"]  # its .tsv
LABEL_NAMES = ["Left thing", "Right thing"]  # myatlas.csv


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    return write_trial_files(tmp_path_factory.mktemp("trial"))


@pytest.fixture
def figure():
    import brainview as bv

    fig = bv.Figure(size=(64, 64), antialias=False)
    yield fig
    fig.close()


@pytest.fixture
def atlases(trial):
    """The layers File > Open makes of the two atlas files (label tables found beside them)."""
    from brainview.gui.files import Choices, open_files

    opened = open_files([trial["prob"], trial["atlas"]], Choices(), anatomy=False)
    prob, labels = opened.layers
    assert prob.probabilistic and prob.names == PROB_NAMES and not labels.probabilistic
    assert labels.names == LABEL_NAMES
    return prob, labels


@pytest.fixture
def panel(qtbot, figure, atlases):
    """A shown panel on a figure holding both atlases."""
    from brainview.gui.atlas_panel import AtlasPanel

    for layer in atlases:
        figure.add(layer)
    widget = AtlasPanel(figure)
    qtbot.addWidget(widget)
    widget.resize(320, 460)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.detach()


def _world(layer, ijk):
    return tuple(float(v) for v in layer.image.to_world([ijk])[0])


def _voxel(layer, xyz):
    return tuple(int(v) for v in np.rint(layer.image.to_voxel([xyz])[0]))


def _tree(widget):
    """The at-the-cursor rows: ``{atlas: (text of column 1, [(region, value), ...])}``."""
    rows = {}
    for row in range(widget.at_cursor.topLevelItemCount()):
        top = widget.at_cursor.topLevelItem(row)
        children = [top.child(i) for i in range(top.childCount())]
        rows[top.text(0)] = (top.text(1), [(c.text(0).strip(), c.data(1, 0x0100)) for c in children])
    return rows


def _double_click(qtbot, widget, text):
    from PyQt5 import QtCore

    (item,) = widget.results.findItems(text, QtCore.Qt.MatchExactly)
    assert not item.isHidden()
    widget.results.scrollToItem(item)
    centre = widget.results.visualItemRect(item).center()
    qtbot.mouseClick(widget.results.viewport(), QtCore.Qt.LeftButton, pos=centre)
    qtbot.mouseDClick(widget.results.viewport(), QtCore.Qt.LeftButton, pos=centre)


# ------------------------------------------------------------------ search


@pytest.mark.gui
def test_typing_in_the_search_field_filters_every_atlas_as_you_type(panel, qtbot):
    from PyQt5 import QtCore

    every = [f"{PROB} - {name}" for name in PROB_NAMES] + [f"myatlas - {name}" for name in LABEL_NAMES]
    assert panel.shown_entries == every and panel.count.text() == "5 of 5 regions"
    qtbot.keyClicks(panel.search, "THING")  # any case
    assert panel.shown_entries == every[3:]
    assert panel.current_region()[1] == "Left thing" and panel.go_button.isEnabled()
    for key, region in ((QtCore.Qt.Key_Down, "Right thing"), (QtCore.Qt.Key_Down, "Right thing"),
                        (QtCore.Qt.Key_Up, "Left thing")):
        qtbot.keyClick(panel.search, key)  # Up and Down in the search field choose among the matches
        assert panel.current_region()[1] == region and panel.search.text() == "THING"
    panel.search.clear()
    qtbot.keyClicks(panel.search, "IEt")  # a substring of one region's name
    assert panel.shown_entries == [f"{PROB} - Parietal"]
    qtbot.keyClicks(panel.search, "x")
    assert panel.shown_entries == [] and panel.count.text() == "No region matches 'IEtx'"
    assert not panel.go_button.isEnabled() and panel.current_region() is None
    panel.search.clear()
    qtbot.keyClicks(panel.search, "myatlas")  # the atlas's name keeps all its regions
    assert panel.shown_entries == every[3:]


# ------------------------------------------------------------------ go to region


@pytest.mark.gui
def test_double_click_on_a_result_moves_the_cursor_into_that_region(panel, qtbot, atlases, monkeypatch):
    from PyQt5 import QtCore

    prob, labels = atlases
    threads = []
    centroids = Atlas.centroids
    monkeypatch.setattr(Atlas, "centroids", lambda self: threads.append(threading.current_thread()) or
                        centroids(self))
    qtbot.keyClicks(panel.search, "right")
    with qtbot.waitSignal(panel.arrived, timeout=20000) as arrived:
        _double_click(qtbot, panel, "myatlas - Right thing")
    assert arrived.args[:2] == ["myatlas", "Right thing"]
    assert threads and all(t is not threading.main_thread() for t in threads)  # computed in a worker
    i, j, k = _voxel(labels, panel.cursor.position)
    assert 10 <= min(i, j, k) and max(i, j, k) < 16  # a voxel of the region (labels[10:16, 10:16, 10:16])
    assert labels.label_at(panel.cursor.position) == "Right thing"
    assert _tree(panel)["myatlas"] == ("Right thing", [])  # the label at the cursor
    calls = len(threads)
    panel.search.clear()
    qtbot.keyClicks(panel.search, "left thing")
    qtbot.mouseClick(panel.go_button, QtCore.Qt.LeftButton)  # cached per atlas data: the cursor moves at once
    assert labels.label_at(panel.cursor.position) == "Left thing" and len(threads) == calls
    panel.search.clear()
    qtbot.keyClicks(panel.search, "Temporal")
    with qtbot.waitSignal(panel.arrived, timeout=20000):
        qtbot.keyClick(panel.search, QtCore.Qt.Key_Return)  # Enter in the search field: the first match
    assert prob.region_at(panel.cursor.position) == "Temporal"  # the maximum-probability region there
    assert _voxel(prob, panel.cursor.position) == (6, 13, 10)  # the map's peak (trial_files' centre)
    assert _tree(panel)[PROB][1][0][0] == "Temporal"


@pytest.mark.gui
def test_centres_computed_while_the_atlas_changes_are_computed_again(panel, qtbot, atlases):
    prob, labels = atlases
    assert panel.go_to(labels, "Right thing") is False  # waits for the worker...
    labels.labels = {1: "Links", 2: "Rechts"}  # ...while the atlas is renamed (its result is stale)
    assert "Finding the regions of myatlas" in panel.message.text()
    qtbot.waitUntil(lambda: not panel.centres.busy, timeout=20000)
    assert panel.centres.get(labels) == labels.centroids() and set(panel.centres.get(labels)) == {"Links", "Rechts"}
    assert "no longer a region" in panel.message.text()
    assert panel.go_to(labels, "Rechts") is True
    assert labels.label_at(panel.cursor.position) == "Rechts"
    qtbot.waitUntil(lambda: "myatlas - Rechts" in panel.shown_entries, timeout=5000)


def test_centroids_asked_from_a_worker_keep_no_old_data_after_a_reload(monkeypatch):
    """A reload (another thread) during ``centroids()`` left the old data's centres in the model's cache."""
    maps = np.zeros((12, 6, 6, 2), np.float32)
    maps[1:3, 2, 2, 0] = 0.9  # a small bright cluster...
    maps[6:9, 1:4, 1:4, 0] = 0.5  # ...and a large dim one
    maps[10:12, 4:6, 4:6, 1] = 0.8
    layer = Atlas((maps, np.eye(4)), threshold=0.7, smooth=0, min_region_size=0)
    centre = atlas_module.atlas_maps.main_cluster_center
    reloads = []

    def reload_meanwhile(*args):
        if not reloads:
            reloads.append(True)
            layer.threshold = 0.3  # both clusters: the large one is the main cluster
        return centre(*args)

    monkeypatch.setattr(atlas_module.atlas_maps, "main_cluster_center", reload_meanwhile)
    layer.centroids()
    assert reloads
    fresh = Atlas((maps, np.eye(4)), threshold=0.3, smooth=0, min_region_size=0).centroids()
    assert layer.centroids() == fresh and fresh["label 1"] == (7.0, 2.0, 2.0)


# ------------------------------------------------------------------ at the cursor


@pytest.mark.gui
def test_probabilities_at_a_known_voxel_equal_the_atlas_data_there(panel, trial, atlases):
    prob, labels = atlases
    data = np.asarray(nib.load(trial["prob"]).dataobj)
    voxel = (9, 10, 8)
    panel.cursor.position = _world(prob, voxel)
    values = data[voxel]
    order = [k for k in np.argsort(-values, kind="stable") if values[k] > 0]
    expected = [(PROB_NAMES[k], float(values[k])) for k in order]
    assert len(expected) == 3 and len({v for _, v in expected}) == 3  # three distinct values, sorted
    assert panel.readings[PROB] == expected
    assert _tree(panel)[PROB] == ("", expected)
    texts = [panel.at_cursor.topLevelItem(0).child(i).text(1) for i in range(3)]
    assert texts == [f"{value:.3g}" for _, value in expected]
    assert _tree(panel)["myatlas"] == ("no region", [])  # between the label atlas's two boxes
    panel.cursor.position = (200.0, 0.0, 0.0)
    assert _tree(panel) == {PROB: ("outside the atlas", []), "myatlas": ("outside the atlas", [])}
    assert "(200.0, 0.0, 0.0) mm" in panel.position.text()


# ------------------------------------------------------------------ the figure's atlases


@pytest.mark.gui
def test_empty_state_and_atlases_added_and_removed(qtbot, figure, atlases):
    from brainview.gui.atlas_panel import AtlasPanel

    prob, labels = atlases
    panel = AtlasPanel(figure)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.empty.isVisible() and "No atlas in the figure" in panel.empty.text()
    assert not panel.search.isVisible() and panel.shown_entries == [] and panel.readings == {}
    figure.add(prob)
    assert not panel.empty.isVisible() and panel.search.isVisible()
    assert panel.shown_entries == [f"{PROB} - {name}" for name in PROB_NAMES] and list(panel.readings) == [PROB]
    figure.add(labels)
    assert panel.go_to(prob, "Parietal") is False  # its centres are on their way...
    before = panel.cursor.position
    figure.remove(prob)  # ...when the atlas goes
    assert panel.shown_entries == [f"myatlas - {name}" for name in LABEL_NAMES]
    assert list(panel.readings) == ["myatlas"] and panel.message.text() == ""
    qtbot.waitUntil(lambda: not panel.centres.busy, timeout=20000)
    qtbot.wait(50)
    assert panel.cursor.position == before and panel.centres.get(prob) is None
    figure.remove(labels)
    assert panel.empty.isVisible() and panel.shown_entries == [] and panel.readings == {}
    panel.detach()
    figure.add(labels)  # a detached panel follows nothing
    assert panel.shown_entries == []


@pytest.mark.gui
def test_the_window_has_the_panel_under_view_and_it_follows_the_opened_files(open_window, qtbot, trial, dialogs):
    from PyQt5 import QtCore, QtWidgets

    window = open_window((200, 200), (1000, 700))
    panel, action = window.atlas_panel, window.actions["atlas_panel"]
    (view_menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"]
    assert action in view_menu.actions() and action.shortcut().toString() == "Ctrl+Alt+A"
    dock = window.findChild(QtWidgets.QDockWidget, "atlases")
    assert not dock.isVisible() and panel.empty.text().startswith("No atlas")
    action.trigger()
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.open_files([trial["atlas"]])
    assert panel.shown_entries == [f"myatlas - {name}" for name in LABEL_NAMES]
    qtbot.keyClicks(panel.search, "right")
    with qtbot.waitSignal(panel.arrived, timeout=20000):
        qtbot.mouseClick(panel.go_button, QtCore.Qt.LeftButton)
    (layer,) = window.figure.layers
    assert window.ortho.cursor.position == panel.cursor.position  # the window's one cursor
    assert layer.label_at(window.ortho.cursor.position) == "Right thing"
    qtbot.waitUntil(lambda: "Right thing" in window.ortho.location.region.text(), timeout=10000)
    assert dialogs == []
    window.close()
    window.figure.remove(layer)  # after closing, the panel follows nothing
    assert panel.shown_entries == ["myatlas - Right thing"]


@pytest.mark.gui
def test_atlas_panel_pixels_match_the_baseline(panel, qtbot, atlases):
    from PyQt5 import QtCore

    from conftest import compare_to_baseline
    from test_app_panels import _rgb

    prob, labels = atlases
    panel.setFixedSize(320, 420)
    qtbot.keyClicks(panel.search, "al")
    assert panel.count.text() == "3 of 5 regions"
    panel.cursor.position = _world(prob, (9, 10, 8))
    qtbot.waitUntil(lambda: panel.size() == QtCore.QSize(320, 420), timeout=5000)
    pixels = _rgb(panel)
    assert pixels.shape == (420, 320, 3)
    compare_to_baseline(pixels, "gui_atlas_panel")


# ------------------------------------------------------------------ errors


@pytest.mark.gui
def test_go_to_says_why_when_the_centres_fail_time_out_or_a_map_has_no_region(panel, qtbot, atlases, monkeypatch):
    from brainview.errors import BrainviewWarning

    prob, labels = atlases
    before = panel.cursor.position
    monkeypatch.setattr(Atlas, "centroids", lambda self: 1 / 0)
    panel.go_to(labels, "Left thing")
    qtbot.waitUntil(lambda: not panel.centres.busy, timeout=20000)
    assert panel.message.text() == "Cannot find the regions of myatlas: ZeroDivisionError: division by zero"
    assert panel.cursor.position == before
    release = threading.Event()
    monkeypatch.setattr(Atlas, "centroids", lambda self: release.wait(20) and {})
    panel.centres.timeout = 0.0  # a worker that never answers is abandoned
    panel.go_to(prob, "Frontal")
    qtbot.waitUntil(lambda: not panel.centres.busy, timeout=20000)
    release.set()
    text = panel.message.text()
    assert text.startswith("Cannot find the regions of HarvardOxford") and "gave up after 0 s" in text
    monkeypatch.undo()
    panel.centres.timeout = 60.0
    maps = np.zeros((6, 4, 4, 2), np.float32)
    maps[1:3, 1:3, 1:3, 0], maps[4, 2, 2, 1] = 0.9, 0.3
    with pytest.warns(BrainviewWarning):
        faint = panel.figure.add(Atlas((maps, np.eye(4)), labels=["bright", "faint"], threshold=0.5, smooth=0,
                                       name="faint maps"))
    with qtbot.waitSignal(panel.centres.ready, timeout=20000):
        panel.go_to(faint, "faint")
    assert panel.message.text() == "faint (faint maps) has no voxel above its threshold: nowhere to go."
    assert panel.cursor.position == before
