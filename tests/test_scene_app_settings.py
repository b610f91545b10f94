"""The desktop app's settings in a scene file: written under "app", read back, ignored by load_scene."""

import json

import pytest

import brainview as bv
from brainview.errors import BrainviewTypeError
from brainview.export.scene_file import load_scene, save_scene, scene_app_settings

SETTINGS = {"layout": "lightbox", "lightbox": {"axis": "coronal", "slices": 6, "spacing": 0.0, "columns": 3}}


@pytest.mark.parametrize("suffix", [".bvscene", ".bvz"])
def test_app_settings_round_trip_and_a_figure_loaded_from_the_file_ignores_them(tmp_path, suffix):
    figure = bv.Figure(size=(40, 30))
    figure.add(bv.layers.Points([[0, 0, 0]], name="dots"))
    path = tmp_path / f"s{suffix}"
    try:
        save_scene(figure, path, app=SETTINGS)
    finally:
        figure.close()
    assert scene_app_settings(path) == SETTINGS
    loaded = load_scene(path)
    try:
        assert [layer.name for layer in loaded.layers] == ["dots"]
    finally:
        loaded.close()


def test_a_scene_without_app_settings_or_with_a_bad_entry_reads_as_none(tmp_path):
    figure = bv.Figure(size=(40, 30))
    path = tmp_path / "plain.bvscene"
    try:
        save_scene(figure, path)
        assert "app" not in json.loads(path.read_text()) and scene_app_settings(path) == {}
        scene = json.loads(path.read_text())
        scene["app"] = ["not", "a", "dict"]
        path.write_text(json.dumps(scene))
        assert scene_app_settings(path) == {}
        with pytest.raises(BrainviewTypeError, match="app: expected a dict"):
            save_scene(figure, tmp_path / "bad.bvscene", app="lightbox")
    finally:
        figure.close()
