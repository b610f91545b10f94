"""Movies of the showcase: a 96-frame 800x600 orbit MP4, beside savefig once per frame.

- ``orbit_mp4_96_frames``: ``bv.movie("spin.mp4", orbit=360, n_frames=96, fps=24)``
  of :func:`brainview.demo.showcase`: frames rendered off-screen in one window
  and streamed to the bundled ffmpeg (H.264). Target 15 s.
  Naive: turn the camera, ``savefig`` a PNG per frame (the usual way to make
  a movie by hand, before any encoding), measured on 12 poses around the
  same orbit and scaled to 96.
- ``savefig_per_frame``: that naive PNG cost per frame, for the frames-per-second
  comparison printed in the note.
"""

import statistics
import tempfile
import time
from pathlib import Path

N_FRAMES = 96
NAIVE_FRAMES = 12


def run(repeat=5):
    from brainview.demo import showcase
    from brainview.export.movie import write_movie

    folder = Path(tempfile.mkdtemp())
    fig = showcase(size=(800, 600))
    fig.screenshot()  # loads the data and compiles the shaders once, like any first image
    movie_times, naive_times = [], []
    for _ in range(max(1, min(repeat, 3))):  # each repeat renders 96 frames
        start = time.perf_counter()
        write_movie(fig, folder / "spin.mp4", orbit=360, n_frames=N_FRAMES, fps=24, progress=False)
        movie_times.append(time.perf_counter() - start)
        camera = fig.renderer.GetActiveCamera()
        start = time.perf_counter()
        for index in range(NAIVE_FRAMES):
            camera.Azimuth(360 / NAIVE_FRAMES)  # the same orbit, every 8th pose
            fig.savefig(folder / f"frame{index:03d}.png")
        naive_times.append((time.perf_counter() - start) / NAIVE_FRAMES)
    fig.close()
    movie = statistics.median(movie_times)
    per_png = statistics.median(naive_times)
    return [
        {"name": "orbit_mp4_96_frames", "median_s": movie, "target_s": 15.0,
         "naive": "savefig PNG per frame (x96, no encoding)",
         "naive_median_s": per_png * N_FRAMES,
         "note": f"showcase 800x600: movie {N_FRAMES / movie:.1f} frames/s, "
                 f"savefig {1 / per_png:.1f} frames/s ({per_png * 1000:.0f} ms per PNG)"},
    ]
