"""The role chooser on the real widgets: shown by File > Open when unsure, always by Open with roles
and Shift+drop; the guess chosen and explained; the user's role opened."""

import pytest

pytestmark = pytest.mark.gui

from PyQt5 import QtCore, QtGui, QtWidgets  # noqa: E402

from brainview.gui.roles import RoleDialog, guess_all  # noqa: E402

from trial_files import write_trial_files  # noqa: E402


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    return write_trial_files(tmp_path_factory.mktemp("trial"))


@pytest.fixture
def window(open_window, dialogs):
    return open_window((300, 300), (800, 500))


def _open_button(dialog):
    return dialog.findChild(QtWidgets.QDialogButtonBox).button(QtWidgets.QDialogButtonBox.Open)


def _answer_chooser(monkeypatch, qtbot, *, keys=(), accept=True):
    """Answer the modal chooser on its widgets: ``keys`` typed into row 0's box, then Open or Cancel."""
    shown = []

    def exec_(dialog):
        shown.append({path.name: role for path, role in dialog.roles().items()})
        for key in keys:
            qtbot.keyClick(dialog.boxes[0], key)
        button = dialog.findChild(QtWidgets.QDialogButtonBox).button(
            QtWidgets.QDialogButtonBox.Open if accept else QtWidgets.QDialogButtonBox.Cancel)
        qtbot.mouseClick(button, QtCore.Qt.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RoleDialog, "exec_", exec_)
    return shown


def test_chooser_defaults_to_each_guess_and_says_why(qtbot, trial):
    paths = [trial["anat"], trial["prob"], trial["roi"], trial["atlas"]]
    dialog = RoleDialog(guess_all(paths))
    qtbot.addWidget(dialog)
    assert [box.currentData() for box in dialog.boxes] == ["anatomy", "prob_atlas", "mask", "atlas"]
    why = [dialog.findChild(QtWidgets.QLabel, f"why_{row}").text() for row in range(4)]
    assert why[0].startswith("Not sure:") and "negative values" in why[0]
    assert "probability map per region" in why[1] and "only 0 and 1" in why[2] and "myatlas.csv" in why[3]
    assert [dialog.boxes[0].itemText(i) for i in range(dialog.boxes[0].count())] == [
        "anatomy (grey slices)", "statistical map", "label atlas", "probabilistic atlas", "mask / ROI"]
    dialog.boxes[0].setFocus()
    qtbot.keyClick(dialog.boxes[0], QtCore.Qt.Key_Down)  # anatomy -> statistical map
    assert dialog.changed() == {trial["anat"]: "map"}
    qtbot.mouseClick(_open_button(dialog), QtCore.Qt.LeftButton)
    assert dialog.result() == QtWidgets.QDialog.Accepted


def test_file_open_asks_only_when_unsure_and_opens_the_chosen_role(window, qtbot, monkeypatch, trial):
    shown = _answer_chooser(monkeypatch, qtbot, keys=[QtCore.Qt.Key_Down])
    answer = [[str(trial["roi"])]]
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (answer[0], "")))
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.actions["open"].trigger()  # a sure guess (values 0/1: a mask): no question
    assert not shown and [layer.kind for layer in window.figure.layers] == ["contour"]
    answer[0] = [str(trial["anat"])]
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.actions["open"].trigger()  # unsure: asked; the user says "statistical map"
    assert shown == [{trial["anat"].name: "anatomy"}]
    assert [layer.kind for layer in window.figure.layers] == ["contour", "stat_map"]


def test_cancelling_open_with_roles_opens_nothing(window, qtbot, monkeypatch, trial):
    shown = _answer_chooser(monkeypatch, qtbot, accept=False)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(trial["atlas"])], "")))
    window.actions["open_roles"].trigger()  # always asks, even for a sure guess
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)  # once the guesses are read, in a worker
    assert shown == [{trial["atlas"].name: "atlas"}]
    assert not window.figure.layers and not window.busy
    assert "cancelled" in window.statusBar().currentMessage()


def test_shift_drop_asks_the_roles_and_notes_reach_the_status_bar(window, qtbot, monkeypatch, trial):
    shown = _answer_chooser(monkeypatch, qtbot)
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(trial["wrong"]))])
    event = QtGui.QDropEvent(QtCore.QPointF(50, 50), QtCore.Qt.CopyAction, mime,
                             QtCore.Qt.LeftButton, QtCore.Qt.ShiftModifier)
    with qtbot.waitSignal(window.loaded, timeout=60000):
        window.dropEvent(event)
    assert shown == [{"regions.nii.gz": "atlas"}]
    atlas, = window.figure.layers
    assert atlas.names == ["label 1", "label 2"]
    assert "'regions.tsv' beside it was ignored" in window.statusBar().currentMessage()
