"""The showcase scene on embedded real data: what ``make demo`` and ``brainview demo`` show.

The MNI152 template as a translucent head, orthogonal slices through it, and
the real motor-task z-map from NeuroVault (image 10426, a left-hand motor
task: right motor cortex and left cerebellum) drawn as a stat map with a
colour bar, seen from above the left front.

Run ``python -m brainview.demo --output demo.png``.

Examples
--------
>>> from brainview.demo import showcase
>>> fig = showcase(size=(160, 120))
>>> fig.screenshot().shape
(120, 160, 3)
>>> fig.close()
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import datasets
from .scene import Figure
from .layers import Contour, Slices, StatMap


def showcase(*, size=(800, 600)):
    """Build the showcase figure (off-screen) and return it.

    Parameters
    ----------
    size : (int, int)
        Image width and height in pixels.
    """
    fig = Figure(size=size, bgcolor="black")
    anatomy = datasets.load_mni152(resolution=2)
    fig.add(Contour(anatomy, level=0.35, color=(0.85, 0.8, 0.75), opacity=0.25, smooth=10,
                    name="MNI152 brain"))
    fig.add(Slices(anatomy, coords=(-2, -30, -12), axes="yz", cmap="gray", clim=(0.05, 1.0),
                   transparent_below=True, name="MNI152 slices"))
    zmap = fig.add(StatMap(datasets.load_motor_map(), threshold=3.0, vmax=8.0, outline=False,
                           name="motor z-map"))
    fig.colorbar(zmap, title="z")
    fig.title("Motor task z-map (NeuroVault 10426) on MNI152")
    fig.view(azimuth=145, elevation=60, distance=430, focalpoint=(0, -18, 15))
    return fig


def _has_display():
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv=None):
    """Render the showcase to a PNG; open it in the desktop window when a display exists."""
    parser = argparse.ArgumentParser(prog="python -m brainview.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--output", default="demo.png", help="PNG to write (default: demo.png)")
    parser.add_argument("--size", nargs=2, type=int, default=(800, 600), metavar=("W", "H"))
    parser.add_argument("--no-window", action="store_true", help="do not open the desktop window")
    args = parser.parse_args(argv)
    fig = showcase(size=tuple(args.size))
    output = Path(args.output).resolve()
    fig.savefig(output)
    print(f"brainview demo: wrote {output}")
    if args.no_window or not _has_display():
        fig.close()
        return 0
    try:
        from .gui.app import show_figure
    except ImportError as error:  # the desktop app's dependencies are optional at run time
        print(f"brainview demo: the desktop window is not available ({error}).")
        fig.close()
        return 0
    show_figure(fig, block=True)
    fig.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
