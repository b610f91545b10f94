"""A 4-panel layout at 1600x500 against its panels rendered alone.

- ``layout_4_panels_1600x500``: ``screenshot()`` of
  ``bv.figure(size=(1600, 500), views=["left", "superior", "right", "cuts:ortho"])``
  showing the motor z-map (the gallery's ``plot_layout.py``), warm (shaders
  compiled, data loaded). Target: 1.3 x the naive sum.
  Naive: the same four panels as four figures of the panel's size, each
  rendered alone (``screenshot()``), times summed.
- ``pdf_300dpi_showcase``: ``savefig("fig.pdf", dpi=300)`` of the 800x600
  showcase (:func:`brainview.demo.showcase`: 3-D scene raster at 300 dpi,
  colour bar and texts vector), warm. Target: under 3 s.
  Naive: ``savefig("fig.png", dpi=300)``, the same raster alone (the least a
  page holding it can cost).
"""

import statistics
import tempfile
import time
from pathlib import Path

SIZE = (1600, 500)
VIEWS = ["left", "superior", "right", "cuts:ortho"]


def _timed(fig, repeat):
    fig.screenshot()  # loads the data, compiles the shaders
    times = []
    for _ in range(repeat):
        fig.changed = True
        start = time.perf_counter()
        fig.screenshot()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _timed_savefig(fig, path, repeat):
    """Medians of the wall time and of the process's CPU time (every thread: llvmpipe's too)."""
    fig.savefig(path, dpi=300)  # warm: shaders compiled, matplotlib's backend loaded
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fig.savefig(path, dpi=300)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu)


def _pdf_row(repeat):
    from brainview.demo import showcase

    fig = showcase(size=(800, 600))
    with tempfile.TemporaryDirectory() as folder:
        pdf, pdf_cpu = _timed_savefig(fig, Path(folder) / "fig.pdf", repeat)
        png, png_cpu = _timed_savefig(fig, Path(folder) / "fig.png", repeat)
        megabytes = (Path(folder) / "fig.pdf").stat().st_size / 1e6
    fig.close()
    return {"name": "pdf_300dpi_showcase", "median_s": pdf, "target_s": 3.0,
            "naive": "savefig PNG at 300 dpi (the raster alone)", "naive_median_s": png,
            "note": f"800x600 showcase -> {megabytes:.1f} MB PDF; PDF / PNG = {pdf / png:.2f}; CPU time "
                    f"(a loaded machine's wall time overstates) PDF {pdf_cpu:.2f} s, PNG {png_cpu:.2f} s"}


def run(repeat=5):
    from brainview.datasets import load_motor_map
    from brainview.layers import StatMap
    from brainview.scene import Figure

    zmap = load_motor_map()
    layout = Figure(size=SIZE, views=VIEWS)
    layer = layout.add(StatMap(zmap, threshold=3.1))
    layout.colorbar(layer, title="z")
    together = _timed(layout, repeat)
    rects = layout.panel_rects()
    layout.close()
    alone = []
    for entry, (_, _, width, height) in zip(VIEWS, rects):
        cut = entry.startswith("cuts:")
        fig = Figure(size=(width, height), views=[entry] if cut else None)
        fig.add(StatMap(zmap, threshold=3.1))
        if not cut:
            fig.view(entry)
        alone.append(_timed(fig, repeat))
        fig.close()
    naive = sum(alone)
    return [
        {"name": "layout_4_panels_1600x500", "median_s": together, "target_s": 1.3 * naive,
         "naive": "the 4 panels rendered alone, summed", "naive_median_s": naive,
         "note": "panels alone: " + ", ".join(f"{v} {t * 1000:.0f} ms" for v, t in zip(VIEWS, alone))
                 + f"; layout / sum = {together / naive:.2f}"},
        _pdf_row(repeat),
    ]
