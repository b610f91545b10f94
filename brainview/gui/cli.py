"""The ``brainview`` command: open images and surfaces in the window, or render them to a PNG.

Examples
--------
>>> main(["--help"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
SystemExit: 0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import BrainviewError

_DESCRIPTION = """\
Show brain images and surfaces in 3-D, in world (MNI/mm) coordinates.

The kind of each file is read from its content: volumes (NIfTI, MGH),
surfaces (GIfTI meshes, FreeSurfer lh.pial...) and per-vertex data (GIfTI
data, FreeSurfer lh.thickness...). A statistical map opened alone is shown
on the MNI152 template; an anatomical volume is shown as slices; integer
label volumes (or the one named with --atlas) as an atlas.

In the window: drag to rotate, right-drag or wheel to zoom, middle-drag to
pan; the status bar shows the mm coordinate, each image's value and the atlas
region under the mouse; File > Open or drag and drop adds files.
"""

_EPILOG = """\
examples:
  brainview zmap.nii.gz                      map on the MNI anatomy
  brainview t1.nii.gz labels.nii.gz --atlas  anatomy + atlas regions
  brainview lh.pial.gii --overlay thickness.gii
  brainview demo                             the showcase scene
  brainview zmap.nii.gz --view left --screenshot out.png --size 800 600
"""


def build_parser():
    parser = argparse.ArgumentParser(
        prog="brainview", description=_DESCRIPTION, epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="images, surfaces, per-vertex data; or 'demo' for the showcase")
    parser.add_argument("--atlas", nargs="?", const=True, default=None, metavar="LABELS",
                        help="show LABELS (or, without a value, the last volume) as an atlas")
    parser.add_argument("--overlay", metavar="DATA",
                        help="per-vertex data to colour the surface with")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render to this PNG/JPEG without opening a window (no display needed)")
    parser.add_argument("--size", nargs=2, type=int, default=(800, 600), metavar=("W", "H"),
                        help="image / 3-D view size in pixels (default 800 600)")
    parser.add_argument("--view", choices=("left", "right", "anterior", "posterior",
                                           "superior", "inferior"),
                        help="camera direction (default: a three-quarter view)")
    parser.add_argument("--bgcolor", default="black", help="background colour (default black)")
    # Tests: close the window this many ms after it opened and loaded.
    parser.add_argument("--quit-after", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    """Run the command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except BrainviewError as error:
        print(f"brainview: error: {error}", file=sys.stderr)
        return 1


def _is_demo(files):
    return files == ["demo"] and not Path("demo").exists()


def _run(args):
    from ..scene import Figure
    from .files import layers_from_files

    if _is_demo(args.files):
        figure = _demo_figure(args)
        files = []
    else:
        figure = Figure(size=args.size, bgcolor=args.bgcolor)
        files = args.files
    if args.view:
        figure.view(args.view)
    if args.screenshot:
        try:
            for layer in layers_from_files(files, atlas=args.atlas, overlay=args.overlay) if files else []:
                figure.add(layer)
            figure.savefig(args.screenshot, size=args.size)
        finally:
            figure.close()
        print(args.screenshot)
        return 0
    from .app import get_app, show_figure

    app = get_app()
    _install_excepthook()
    window = show_figure(figure, block=False)
    if args.quit_after is not None:
        from PyQt5 import QtCore

        def close_later():
            QtCore.QTimer.singleShot(args.quit_after, window.close)

        window.loaded.connect(close_later) if files else close_later()
    if files:
        window.open_files(files, atlas=args.atlas, overlay=args.overlay)
    window.closed.connect(app.quit)
    app.exec_()
    figure.close()
    return 0


def _demo_figure(args):
    from ..demo import showcase

    return showcase(size=tuple(args.size))


def _install_excepthook():
    # PyQt aborts the process on an exception escaping a slot; report it instead.
    import traceback

    def hook(exc_type, value, tb):
        traceback.print_exception(exc_type, value, tb)
        try:
            from PyQt5 import QtWidgets

            QtWidgets.QMessageBox.critical(None, "brainview: unexpected error",
                                           f"{exc_type.__name__}: {value}")
        except Exception:
            pass

    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = hook


if __name__ == "__main__":
    sys.exit(main())
