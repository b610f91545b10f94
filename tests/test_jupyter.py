"""Jupyter: the figure shows itself as a PNG, rendered again only when the scene changed."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

import brainview as bv
from brainview.layers import Points
from brainview.scene import Figure

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def scene():
    fig = bv.figure(size=(90, 70), antialias=False)
    fig.add(Points([[0, 0, 0], [40, 0, 0]], size=16, name="dots"))
    yield fig
    bv.close("all")


def count_renders(monkeypatch):
    calls = []
    screenshot = Figure.screenshot
    monkeypatch.setattr(Figure, "screenshot", lambda self, **kw: calls.append(1) or screenshot(self, **kw))
    return calls


def test_repr_png_is_a_png_of_the_figure_size(scene):
    png = scene._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size == (90, 70)
    bundle = scene._repr_mimebundle_()
    assert bundle["image/png"] == png and bundle["text/plain"] == repr(scene)


def test_repr_png_renders_again_only_when_the_scene_changed(scene, monkeypatch):
    renders = count_renders(monkeypatch)
    first = scene._repr_png_()
    assert scene._repr_png_() is first and len(renders) == 1
    scene.layers[0].opacity = 0.5  # a trait of a layer
    scene._repr_png_()
    assert len(renders) == 2
    scene.view("left")  # the view
    scene._repr_png_()
    scene.renderer.GetActiveCamera().Azimuth(30)  # the camera moved directly (the app's mouse)
    scene._repr_png_()
    assert len(renders) == 4
    scene._repr_png_()
    assert len(renders) == 4


def test_closed_figure_shows_its_text_repr(scene):
    scene.close()
    assert scene._repr_png_() is None
    assert scene._repr_mimebundle_() == {"text/plain": "<Figure 90x70, closed>"}


def test_notebook_cell_ending_with_a_figure_shows_an_image(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    root = str(Path(__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import brainview as bv\n"
        "fig = bv.figure(size=(80, 60))\n"
        "_ = bv.points([[0, 0, 0]], size=10)\n"
        "fig")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    client = nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": root}})
    client.km = client.create_kernel_manager()
    client.km.kernel_spec.argv[0] = sys.executable  # this environment's Python
    client.execute()
    outputs = notebook.cells[0].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, outputs
    assert images[0]["output_type"] == "execute_result"
