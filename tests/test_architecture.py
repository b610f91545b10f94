"""The layering rules of DESIGN.md, checked on the source, and a Qt-free, display-free core."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "brainview"
QT_MODULES = ("PyQt5", "PySide2", "PySide6", "pyvistaqt", "pyface.qt", "traitsui.qt", "vtkmodules.qt")


def _imports(path):
    """Absolute names of every module imported by a source file (relative ones resolved)."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def _sources(folder):
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _sources("geometry"), ids=lambda p: p.name)
def test_geometry_is_pure(path):
    forbidden = ("pyvista.plotting", "brainview.layers", "brainview.scene", "brainview.pylab",
                 "brainview.gui", "brainview._vtk", "vtkmodules.vtkRendering")
    bad = [name for name in _imports(path) if name.startswith(forbidden)]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _sources("layers"), ids=lambda p: p.name)
def test_layers_do_not_import_upwards(path):
    forbidden = ("brainview.scene", "brainview.pylab", "brainview.gui") + QT_MODULES
    bad = [name for name in _imports(path) if name.startswith(forbidden)]
    assert not bad, f"{path.name} imports {bad}"


def test_only_gui_imports_qt():
    offenders = {
        path.relative_to(PACKAGE).as_posix(): [n for n in _imports(path) if n.startswith(QT_MODULES)]
        for path in _sources(None)
        if "gui" not in path.relative_to(PACKAGE).parts
    }
    assert not {k: v for k, v in offenders.items() if v}


def _run(code):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)


def test_import_brainview_loads_neither_qt_nor_vtk():
    result = _run(
        "import sys, brainview\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('PyQt5', 'pyvistaqt', 'vtkmodules', 'pyvista', 'matplotlib', 'nilearn')]\n"
        "print(heavy)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_scripting_without_display_never_imports_qt(tmp_path):
    result = _run(
        "import sys, numpy as np, brainview as bv\n"
        "bv.figure(size=(64, 48))\n"
        "bv.contour((np.pad(np.ones((4, 4, 4)), 2), np.eye(4)), level=0.5)\n"
        f"bv.savefig({str(tmp_path / 'x.png')!r})\n"
        "print([m for m in sys.modules if m.startswith(('PyQt5', 'pyvistaqt'))])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")
    assert (tmp_path / "x.png").stat().st_size > 0
