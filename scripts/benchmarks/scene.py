"""Scene files: saving the showcase, and loading it beside building it from its script.

- ``scene_save_showcase``: ``save_scene`` of the showcase (data referenced,
  not copied; target 0.2 s).
- ``scene_load_showcase_png``: ``load_scene`` + first 800x600 PNG, beside the
  naive way, building the same figure from its exported script + PNG in the
  same run (target: the script's time + 10%).
"""

from __future__ import annotations

import runpy
import statistics
import tempfile
import time
from pathlib import Path


def run(repeat: int = 5) -> list[dict]:
    import brainview as bv
    from brainview.demo import showcase
    from brainview.export.scene_file import load_scene, save_scene
    from brainview.export.script import export_script

    folder = Path(tempfile.mkdtemp())
    fig = showcase(size=(800, 600))
    fig.render()
    save, load, script = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        save_scene(fig, folder / "showcase.bvscene")
        save.append(time.perf_counter() - start)
    export_script(fig, folder / "showcase.py")
    fig.close()
    for _ in range(repeat):
        start = time.perf_counter()
        loaded = load_scene(folder / "showcase.bvscene")
        loaded.savefig(folder / "scene.png")
        load.append(time.perf_counter() - start)
        loaded.close()
        start = time.perf_counter()
        built = runpy.run_path(str(folder / "showcase.py"))["fig"]
        built.savefig(folder / "script.png")
        script.append(time.perf_counter() - start)
        bv.close("all")
    script_median = statistics.median(script)
    return [
        {"name": "scene_save_showcase", "median_s": statistics.median(save), "target_s": 0.2,
         "naive": None, "naive_median_s": None},
        {"name": "scene_load_showcase_png", "median_s": statistics.median(load),
         "target_s": 1.1 * script_median, "naive": "exported script + savefig",
         "naive_median_s": script_median},
    ]
