"""``brainview batch``: a template scene re-rendered for each of many files.

:func:`batch_main` parses the command line, finds the files
(:func:`find_files`, safe against symbolic-link loops), builds each picture
with :class:`ReplaceLayerData` through :func:`brainview.batch.render_many`
and writes the contact sheet (:func:`brainview.batch.write_index`).

Examples
--------
>>> batch_main(["template.bvscene", "--replace", "zmap"])
2
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from pathlib import Path

from ..errors import BrainviewError, BrainviewTypeError, BrainviewValueError, describe
from .report import printable, write_index
from .run import item_names, render_many

__all__ = ["MAX_GLOB_FOLDERS", "ReplaceLayerData", "batch_main", "find_files"]

class ReplaceLayerData:
    """A :func:`render_many` function: a template scene with one layer's data replaced by each item.

    ``build(replacements)`` must build the current figure from the template
    with ``replacements = {layer_name: data}`` in place of those layers'
    data, keeping the camera, thresholds and every other setting (the scene
    files of ``brainview.export`` provide it). Picklable when ``build`` is.

    Parameters
    ----------
    build : callable
        ``build(replacements)``.
    layer : str
        The name of the layer whose data each item replaces.

    Examples
    --------
    >>> import brainview as bv
    >>> def build(replacements):
    ...     bv.points(replacements["dots"], size=8)
    >>> report = bv.render_many(ReplaceLayerData(build, "dots"), [[[0, 0, 0]]], None, size=(16, 16))
    >>> report.ok
    True
    """

    def __init__(self, build, layer):
        if not callable(build):
            raise BrainviewTypeError(f"build: expected callable(replacements), got {describe(build)}.")
        if not isinstance(layer, str) or not layer:
            raise BrainviewTypeError(f"layer: expected a layer name, got {describe(layer)}.")
        self.build, self.layer = build, layer

    def __call__(self, item):
        self.build({self.layer: item})


class _SceneFileBuild:
    """A scene file as ``build(replacements)`` on pylab's current figure (picklable)."""

    def __init__(self, path, *, allow_outside=False):
        from ..export.scene_file import SceneTemplate

        self.template = SceneTemplate(path, allow_outside=allow_outside)
        self.figure_options = self.template.figure_options

    def check_layer(self, name):
        self.template.check_layer(name)

    def __call__(self, replacements):
        from .. import pylab

        self.template.build(pylab.gcf(), replacements)


def batch_main(argv=None, *, open_template=None):
    """``brainview batch``: re-render a template scene for each of many files.

    ``brainview batch template.bvscene --replace zmap='sub-*/zmap.nii.gz' --out qc/ --jobs 4``
    writes one PNG per file (the template with the layer ``zmap``'s data
    replaced) and ``qc/index.html``; ``--scheduler tcp://host:8786`` renders
    on a dask cluster instead. Failures are listed at the end.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments after ``batch`` (default: ``sys.argv[1:]``).
    open_template : callable, optional
        ``open_template(path) -> build``, where ``build(replacements)``
        builds the current figure (see :class:`ReplaceLayerData`); a
        ``build.figure_options`` dict (size, bgcolor, antialias) gives the
        figure settings. Default: a scene file, built by
        :class:`brainview.export.scene_file.SceneTemplate` into the current figure.

    Returns
    -------
    int
        0 when every image was made, 1 when some item failed, 2 for bad
        arguments or no matching file.
    """
    parser = argparse.ArgumentParser(prog="brainview batch", description=batch_main.__doc__.splitlines()[0])
    parser.add_argument("template", help="the scene file to re-render")
    parser.add_argument("--replace", required=True, metavar="LAYER=GLOB",
                        help="layer whose data is replaced, and the files (quoted glob)")
    parser.add_argument("--out", default="qc", help="output folder (default: qc)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (-1: one per core)")
    parser.add_argument("--scheduler", help="dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--size", help="WIDTHxHEIGHT in pixels (default: the template's size)")
    parser.add_argument("--overwrite", action="store_true", help="re-render existing images")
    parser.add_argument("--translucency", choices=("blended", "peeled"), default="blended",
                        help="blended (default, faster) or peeled (the template's savefig pixels)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="stop an item after this many seconds and record it as failed")
    parser.add_argument("--allow-outside", action="store_true",
                        help="let the template read data files outside its folder (a template you saved)")
    args = parser.parse_args(argv)
    try:
        layer, files = _parse_replace(args.replace)
        if open_template is None:
            build = _SceneFileBuild(args.template, allow_outside=args.allow_outside)
        else:
            build = open_template(args.template)
        getattr(build, "check_layer", lambda name: None)(layer)  # a typo fails now, not per file
        options = dict(getattr(build, "figure_options", {"size": (800, 600)}))
        if args.size:
            options["size"] = _parse_size(args.size)
        fn = ReplaceLayerData(build, layer)
        out = Path(args.out) / _unique_name_template(files)
        options.update(overwrite=args.overwrite, translucency=args.translucency, progress=None,
                       timeout=args.timeout)
        if args.scheduler:
            from distributed import Client

            with Client(args.scheduler):
                report = render_many(fn, files, out, backend="dask", **options)
        else:
            report = render_many(fn, files, out, n_jobs=args.jobs, **options)
    except BrainviewError as error:
        print(f"brainview batch: error: {printable(error)}", file=sys.stderr)
        return 2
    index = write_index(report, Path(args.out) / "index.html", title=f"brainview batch: {args.template}")
    print(printable(report.summary().splitlines()[0] + f"; contact sheet: {index}"))
    if report.failed:
        print(f"{len(report.failed)} failed:", file=sys.stderr)
        for result in report.failed:
            print(f"  {printable(result.label)} ({result.index}): {printable(result.error)}", file=sys.stderr)
        return 1
    return 0


def _parse_replace(text):
    layer, sep, pattern = text.partition("=")
    if not sep or not layer or not pattern:
        raise BrainviewValueError(f"--replace: expected LAYER=GLOB, e.g. zmap='sub-*/zmap.nii.gz', got {text!r}.")
    files = find_files(os.path.expanduser(pattern))
    if not files:
        raise BrainviewValueError(f"--replace: no file matches {pattern!r}.")
    return layer, files


#: Folders a ``**`` pattern may visit before it is refused as too broad.
MAX_GLOB_FOLDERS = 100_000


def find_files(pattern):
    """The files matching a glob pattern, sorted; ``**`` visits each real folder once.

    :func:`glob.glob` with ``recursive=True`` follows symbolic links into
    loops (``a -> .``) and never ends; here every folder under a ``**`` is
    visited once, by its device and inode, hidden folders skipped as glob does.

    Examples
    --------
    >>> import tempfile, os
    >>> root = tempfile.mkdtemp(); os.makedirs(f"{root}/s/t"); open(f"{root}/s/t/z.nii", "w").close()
    >>> os.symlink(".", f"{root}/s/loop")
    >>> [os.path.relpath(p, root) for p in find_files(f"{root}/**/z.nii")]
    ['s/t/z.nii']
    """
    parts = pattern.split(os.sep)
    if "**" not in parts:
        return sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
    at = parts.index("**")
    head, rest = os.sep.join(parts[:at]), os.sep.join(parts[at + 1:]) or "*"
    bases = glob.glob(head) if glob.has_magic(head) else [head or os.curdir]
    found, seen = set(), set()
    for base in bases:
        for folder in _folders_once(base, seen):
            found.update(find_files(os.path.join(folder, rest)))
    if not head:  # as glob does: 'sub/z.nii', not './sub/z.nii'
        found = {path[len(os.curdir + os.sep):] if path.startswith(os.curdir + os.sep) else path
                 for path in found}
    return sorted(found)


def _folders_once(base, seen):
    """``base`` and the folders below it, each real folder (device, inode) once."""
    stack = [base]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen or not os.path.isdir(folder):
            continue
        seen.add((info.st_dev, info.st_ino))
        if len(seen) > MAX_GLOB_FOLDERS:
            raise BrainviewValueError(f"--replace: the pattern reaches more than {MAX_GLOB_FOLDERS} folders; "
                                      "name a narrower folder before '**'.")
        yield folder
        try:
            names = sorted(entry.name for entry in os.scandir(folder) if not entry.name.startswith("."))
        except OSError:
            continue
        stack.extend(os.path.join(folder, name) for name in reversed(names))


def _parse_size(text):
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise BrainviewValueError(f"--size: expected WIDTHxHEIGHT such as 800x600, got {text!r}.") from None
    return width, height


def _unique_name_template(files):
    """``{stem}.png``, or with the folder or the index when stems repeat (``sub-*/zmap.nii.gz``)."""
    for template in ("{stem}.png", "{parent}_{stem}.png"):
        names = [template.format(**item_names(f, i)) for i, f in enumerate(files)]
        if len(set(names)) == len(names):
            return template
    return "{index:04d}_{stem}.png"
