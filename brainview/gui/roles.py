"""The role chooser: what each file is, the guess shown and explained, the user's choice.

File > Open shows it when a guess is uncertain (read from the values alone);
File > Open with roles and drag and drop with Shift always show it. Each
row is a file, a role box (defaulting to the guess) and why the guess was
made; the chosen roles go to :func:`brainview.gui.files.open_files` as
``Choices(roles=...)``.

Examples
--------
>>> from brainview.gui.file_roles import RoleGuess
>>> guess = RoleGuess(Path("roi.nii.gz"), "mask", ["values only 0 and 1"], roles=("anatomy", "mask"))
>>> dialog = RoleDialog([guess])  # doctest: +SKIP
>>> dialog.roles()  # doctest: +SKIP
{PosixPath('roi.nii.gz'): 'mask'}
"""

from __future__ import annotations

from pathlib import Path

from PyQt5 import QtCore, QtWidgets

from .file_roles import ROLES, guess_role

__all__ = ["RoleDialog", "guess_all", "choose_roles"]


class RoleDialog(QtWidgets.QDialog):
    """One row per file: its name, a role box defaulting to the guess, and why.

    Parameters
    ----------
    guesses : list of RoleGuess
    parent : QWidget, optional
    """

    def __init__(self, guesses, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Open files as")
        self._guesses = list(guesses)
        self.boxes = []
        layout = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel("What is each file? The guess is chosen; change it where it is wrong.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(rows)
        for column, title in enumerate(("File", "Open as", "Why")):
            grid.addWidget(QtWidgets.QLabel(f"<b>{title}</b>"), 0, column)
        for row, guess in enumerate(self._guesses, start=1):
            self._add_row(grid, row, guess)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(self._guesses) + 1, 1)
        # Many files (a folder dropped): the rows scroll, the buttons stay on the screen.
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        scroll.setWidget(rows)
        layout.addWidget(scroll, 1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Open
                                             | QtWidgets.QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._fit(rows, intro, buttons)

    def _fit(self, rows, intro, buttons):
        """760 px wide, as tall as the rows need, at most 85 % of the screen's height."""
        screen = (self.screen() if hasattr(self, "screen") else None) or QtWidgets.QApplication.primaryScreen()
        limit = int(0.85 * screen.availableGeometry().height()) if screen is not None else 800
        margins = self.layout().contentsMargins()
        wanted = (rows.sizeHint().height() + intro.sizeHint().height() + buttons.sizeHint().height()
                  + margins.top() + margins.bottom() + 3 * self.layout().spacing())
        self.resize(760, min(wanted, limit))

    def _add_row(self, grid, row, guess):
        grid.addWidget(QtWidgets.QLabel(guess.path.name), row, 0)
        box = QtWidgets.QComboBox()
        box.setObjectName(f"role_{row - 1}")
        for role in guess.roles or (guess.role,):
            box.addItem(ROLES.get(role, role), role)
        box.setCurrentIndex(max(0, box.findData(guess.role)))
        box.setToolTip(f"Guess: {ROLES.get(guess.role, guess.role)}")
        grid.addWidget(box, row, 1)
        prefix = "Not sure: " if guess.uncertain else ""
        why = QtWidgets.QLabel(prefix + guess.why)
        why.setWordWrap(True)
        why.setObjectName(f"why_{row - 1}")
        grid.addWidget(why, row, 2)
        self.boxes.append(box)

    def roles(self):
        """``{path: role}`` as chosen in the boxes."""
        return {guess.path: box.currentData() for guess, box in zip(self._guesses, self.boxes)}

    def changed(self):
        """``{path: role}`` of the files whose role differs from the guess."""
        return {path: role for (path, role), guess in zip(self.roles().items(), self._guesses)
                if role != guess.role}


def guess_all(paths):
    """The :class:`~brainview.gui.file_roles.RoleGuess` of each file (errors propagate)."""
    return [guess_role(Path(path)) for path in paths]


def choose_roles(parent, guesses, *, always=False):
    """Ask for the files' roles when a guess is uncertain (or ``always``).

    Parameters
    ----------
    parent : QWidget
    guesses : list of RoleGuess
        From :func:`guess_all` (which reads the files: run it in a worker).
    always : bool

    Returns
    -------
    dict or None
        ``{path: role}`` for :class:`~brainview.gui.files.Choices` (empty when
        nothing was asked), or None when the user cancelled.
    """
    if not always and not any(guess.uncertain for guess in guesses):
        return {}
    dialog = RoleDialog(guesses, parent)
    if dialog.exec_() != QtWidgets.QDialog.Accepted:
        return None
    return {str(path): role for path, role in dialog.roles().items()}
