"""One-file interactive HTML export of the showcase scene (``brainview.demo``), target < 5 s.

- ``html_showcase``: ``brainview.export.html.export_html`` of the showcase (head contour, two
  slices, the motor z-map, title, colour bar), the figure built beforehand.
  Its size in MB is in the note (target < 20 MB).
- Naive: trame-vtk's serialisers and standalone viewer on the figure's own
  render window as it is (what pyvista's ``export_html`` does): about as fast,
  but the slices, title and colour-bar ticks are lost.
"""

import io
import json
import statistics
import tempfile
import time
import zipfile
from pathlib import Path


def _naive_export(fig, path):
    from trame_vtk.modules.vtk.serializers import (
        SynchronizationContext, extract_array_hash, initialize_serializers, serialize)
    from trame_vtk.modules.vtk.serializers.utils import reference_id
    from trame_vtk.tools.vtksz2html import embed_data_to_viewer_file

    initialize_serializers()
    context = SynchronizationContext()
    context.set_ignore_last_dependencies(True)
    window = fig.window
    fig.render()
    scene = serialize(None, window, reference_id(window), context, 1)
    hashes = {e["hash"]: dict(**e, content=context.get_cached_data_array(e["hash"], False))
              for e in extract_array_hash(scene)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.json", json.dumps({"hashes": hashes, "scene": scene}),
                         compress_type=zipfile.ZIP_DEFLATED)
    embed_data_to_viewer_file(buffer.getvalue(), path)


def run(repeat: int = 5) -> list[dict]:
    from brainview.demo import showcase
    from brainview.export.html import export_html

    folder = Path(tempfile.mkdtemp())
    fig = showcase(size=(800, 600))
    times, naive = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        path = export_html(fig, folder / "showcase.html")
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        _naive_export(fig, folder / "naive.html")
        naive.append(time.perf_counter() - start)
    size_mb = path.stat().st_size / 1e6
    fig.close()
    return [
        {"name": "html_showcase", "median_s": statistics.median(times), "target_s": 5.0,
         "naive": "trame-vtk on the raw window", "naive_median_s": statistics.median(naive),
         "note": f"800x600 showcase -> {size_mb:.1f} MB self-contained HTML (target < 20 MB)"},
    ]
