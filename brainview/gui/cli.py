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
import os
import sys
import warnings
from pathlib import Path

from ..errors import BrainviewError, BrainviewValueError, BrainviewWarning

_DESCRIPTION = """\
Show brain images and surfaces in 3-D, in world (MNI/mm) coordinates.

Surfaces (GIfTI meshes, FreeSurfer lh.pial...) and per-vertex data (GIfTI
data, FreeSurfer lh.thickness...) are told apart by their content. A volume
(NIfTI, MGH/MGZ, MINC) is shown as anatomy (grey slices), a statistical map
(on the MNI152 template when no anatomy is given) or an atlas (regions). Its
role is read from, in order:

  1. the NIfTI intent code (LABEL: atlas; t, F, z, p...: map);
  2. a FreeSurfer segmentation or BIDS name (aseg, aparc+aseg, *_dseg): atlas;
  3. a label table beside it (STEM.tsv, STEM.txt, STEM_labels.tsv,
     FreeSurferColorLUT.txt) and integer values: atlas, named from the table;
  4. words of the name: zstat, tstat, spmT, cope...: map; atlas, labels,
     parcellation, seg: atlas; T1, T1w, brain, MNI, template, anat: anatomy;
  5. an integer data type alone (a uint8 T1): anatomy, never an atlas;
  6. floats: negative values (cal_min or a sample of 100 000 voxels) or
     fewer than 5% non-zero voxels: map; else anatomy.

A CIFTI-2 file (.dscalar.nii, .dlabel.nii, .dtseries.nii, .pscalar.nii,
.plabel.nii) shows its cortex on the --surf meshes (left, right) and its
subcortical voxels as a map (an atlas for .dlabel); --volume picks its map.

Tractograms (.trk, .tck, .trx, .vtk, .vtp; .trk.gz, .tck.gz) are known by
their name and drawn as streamlines in world RAS+ mm.

Say it yourself with --anat, --map, --atlas (with a FILE, or alone for the
only volume: --anat the first, --map/--atlas the last of several), or per
file: FILE:ROLE[:key=value...], ROLE one of anat, map, atlas, prob (a 4-D
probabilistic atlas), mask (an ROI, drawn filled), surface, overlay; the
options are the layer's own (values as Python literals, else text), e.g.
zmap.nii.gz:map:threshold=3.1  atlas.nii.gz:atlas:labels=lut.csv.
Values 0/1 only open as a mask; 4-D values in [0, 1] with a label table
beside them as a probabilistic atlas; a label table that does not match the
image's labels is ignored, with a note.

A figure brainview saved (fig.png, .tiff, .svg, .pdf) carries its scene and
opens the same way. A scene file (.bvscene, .bvz: File > Save session, bv.save_scene) opens as
it was saved: same layers, settings and camera.

In the window: drag to rotate, right-drag or wheel to zoom, middle-drag to
pan; the status bar shows the mm coordinate, each image's value and the atlas
region under the mouse; File > Open or drag and drop adds files.
"""

_EPILOG = """\
examples:
  brainview zmap.nii.gz                      map on the MNI anatomy
  brainview t1.nii.gz labels.nii.gz --atlas  anatomy + atlas regions
  brainview t1.nii.gz --atlas aseg.mgz --labels FreeSurferColorLUT.txt
  brainview bold.nii.gz --volume 10 --map    the 11th volume of a 4-D file
  brainview zmap.nii.gz --cmap RdBu_r --threshold 3.1
  brainview t1.nii.gz zmap.nii.gz:map:threshold=3.1 roi.nii.gz:mask atlas.nii.gz:atlas:labels=lut.csv
                                             per-file roles and options
  brainview lh.pial.gii --overlay thickness.gii
  brainview x.dscalar.nii --surf L.midthickness.surf.gii R.midthickness.surf.gii
                                             CIFTI-2: cortex on the meshes, voxels as a map
  brainview demo                             the showcase scene
  brainview zmap.nii.gz --view left --screenshot out/zmap.png --size 800 600
  brainview motor.bvscene                    a saved scene (session)
  brainview fig1.png                         the figure a saved picture carries, editable
  brainview motor.bvscene --screenshot out.png
  brainview motor.bvscene --movie spin.mp4 --orbit 360 --frames 96 --fps 24
  brainview batch template.bvscene --replace zmap='sub-*/zmap.nii.gz' --out qc/ --jobs 2
                                             one PNG per file + qc/index.html
                                             (brainview batch --help)

Any failure exits with status 1 (2 for a wrong command line) and one line
"brainview: error: ..." on stderr.
"""


def _threshold(text):
    """A number or a percentile string ("95%")."""
    if text.endswith("%"):
        float(text[:-1])  # argparse reports a ValueError as an invalid value
        return text
    return float(text)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="brainview", description=_DESCRIPTION, epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="images, surfaces, per-vertex data; or 'demo' for the showcase")
    roles = parser.add_argument_group("what the files are (default: read from each file)")
    roles.add_argument("--anat", nargs="?", const=True, default=None, metavar="FILE",
                       help="show FILE (or alone: the first volume) as anatomy (grey slices)")
    roles.add_argument("--map", dest="maps", nargs="?", const=True, default=None, metavar="FILE",
                       help="show FILE (or alone: the last volume) as a statistical map")
    roles.add_argument("--atlas", nargs="?", const=True, default=None, metavar="FILE",
                       help="show FILE (or alone: the last volume) as an atlas")
    roles.add_argument("--labels", metavar="FILE",
                       help="region names of the atlas: a TSV with index and name columns, a "
                            "FreeSurfer colour LUT, or one name per line (default: a table "
                            "beside the atlas)")
    roles.add_argument("--volume", type=int, metavar="N",
                       help="volume N (from 0) of 4-D images (default 0, with a note; a 4-D "
                            "atlas is shown as probability maps)")
    roles.add_argument("--overlay", metavar="DATA",
                       help="per-vertex data to colour the surface with")
    roles.add_argument("--surf", nargs="+", metavar="MESH",
                       help="the left and right meshes (GIfTI, FreeSurfer) a CIFTI-2 file "
                            "(.dscalar.nii, .dlabel.nii, .dtseries.nii, .pscalar.nii, .plabel.nii) "
                            "is drawn on, e.g. fs_LR 32k midthickness surfaces")
    looks = parser.add_argument_group("how they look")
    looks.add_argument("--cmap", metavar="NAME",
                       help="colormap of the maps (of the anatomy when there is no map)")
    looks.add_argument("--threshold", type=_threshold, metavar="T",
                       help="threshold of the maps: a number or a percentile such as 95%%")
    looks.add_argument("--view", choices=("left", "right", "anterior", "posterior",
                                          "superior", "inferior"),
                       help="camera direction (default: a three-quarter view)")
    looks.add_argument("--bgcolor", default="black", help="background colour (default black)")
    output = parser.add_argument_group("output")
    output.add_argument("--screenshot", metavar="OUT.png",
                        help="render to this PNG/JPEG without opening a window (no display "
                             "needed); missing folders are created")
    output.add_argument("--movie", metavar="OUT.mp4",
                        help="render a movie (.mp4 or .gif) without opening a window: an orbit "
                             "of --orbit degrees around the scene")
    output.add_argument("--orbit", type=float, default=360.0, metavar="DEGREES",
                        help="degrees the camera turns during --movie (default 360)")
    output.add_argument("--frames", type=int, default=96, metavar="N",
                        help="frames of --movie (default 96)")
    output.add_argument("--fps", type=float, default=24.0,
                        help="frames per second of --movie (default 24; GIF: a divisor of 100)")
    output.add_argument("--size", nargs=2, type=int, default=None, metavar=("W", "H"),
                        help="image / 3-D view size in pixels (default 800 600, or the scene "
                             "file's size)")
    parser.add_argument("--allow-outside", action="store_true",
                        help="let a scene file read data files outside its folder (a scene you "
                             "saved with its data in a parent folder); the files are listed")
    # Tests: close the window this many ms after it opened and loaded.
    output.add_argument("--quit-after", type=int, default=None, help=argparse.SUPPRESS)
    return parser


SCENE_SUFFIXES = (".bvscene", ".bvz")


def main(argv=None):
    """Run the command; returns the exit status (0 done, 1 failed, 2 bad command line)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["batch"]:
        from ..batch import batch_main

        return batch_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _split_file_args(args)
    except BrainviewValueError as error:
        parser.error(str(error))
    named = [value for value in (args.anat, args.maps, args.atlas) if isinstance(value, str)]
    for option in ("screenshot", "movie"):
        if getattr(args, option) and not args.files and not named:
            parser.error(f"--{option} needs at least one FILE to show (or 'demo').")
    scenes = [f for f in args.files if _is_scene(f)]
    if scenes and (len(args.files) > 1 or named):
        parser.error("a scene file opens on its own: give it as the only FILE.")
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return _run(args)
        except Exception as error:  # every failure: one line, no traceback
            if os.environ.get("BRAINVIEW_DEBUG"):
                raise
            _print_error(error)
            return 1


def _one_line(text):
    """One printable line: whitespace runs collapsed, control characters (escape sequences) shown as codes."""
    text = " ".join(str(text).split())
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _print_error(error):
    reason = str(error) if isinstance(error, BrainviewError) else f"{type(error).__name__}: {error}"
    print(f"brainview: error: {_one_line(reason)}", file=sys.stderr)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"brainview: warning: {_one_line(message)}", file=sys.stderr)


def _note(text):
    print(f"brainview: note: {_one_line(text)}", file=sys.stderr)


def _split_file_args(args):
    """``FILE:ROLE:key=value`` arguments -> ``args.files`` (paths), ``args.roles``, ``args.options``."""
    from .file_roles import parse_file_arg

    specs = [parse_file_arg(text) for text in args.files]
    args.files = [str(spec.path) for spec in specs]
    args.roles = {spec.path: spec.role for spec in specs if spec.role is not None}
    args.options = {spec.path: spec.options for spec in specs if spec.options}


def _choices(args):
    from .files import Choices

    return Choices(atlas=args.atlas, anat=args.anat, maps=args.maps, labels=args.labels,
                   volume=args.volume, cmap=args.cmap, threshold=args.threshold,
                   overlay=args.overlay, roles=args.roles or None, options=args.options or None)


def _is_demo(files):
    return files == ["demo"] and not Path("demo").exists()


def _run(args):
    from ..scene import Figure
    from .files import open_files

    if _is_demo(args.files):
        figure = _demo_figure(args)
        files = []
    elif args.files and _is_scene(args.files[0]):
        figure = _open_scene(args.files[0], allow_outside=args.allow_outside)
        files = []
    else:
        figure = Figure(size=args.size or (800, 600), bgcolor=args.bgcolor)
        files = args.files
    if args.view:
        figure.view(args.view)
    choices = _choices(args)
    files = _add_cifti(figure, files, args.surf, choices)
    if args.screenshot or args.movie:
        try:
            opened = open_files(files, choices)
            for note in opened.notes:
                _note(note)
            for layer in opened.layers:
                figure.add(layer)
            written = [_screenshot(figure, args)] if args.screenshot else []
            if args.movie:
                written.append(_movie(figure, args))
        finally:
            figure.close()
        for out in written:
            if not out.is_file() or out.stat().st_size == 0:
                raise BrainviewError(f"output: could not write '{out}'.")
            print(out)
        return 0
    named = [v for v in (choices.atlas, choices.anat, choices.maps) if isinstance(v, str)]
    from .files import file_kind

    for path in [*files, *named]:  # a missing file is a one-line error here, not a dialog later
        file_kind(path)
    from .app import get_app, show_figure

    app = get_app()
    window = show_figure(figure, block=False)
    if args.quit_after is not None:
        from PyQt5 import QtCore

        def close_later():
            QtCore.QTimer.singleShot(args.quit_after, window.close)

        window.loaded.connect(close_later) if files or named else close_later()
    if files or named:
        window.open_files(files, choices=choices)
    window.closed.connect(app.quit)
    app.exec_()
    figure.close()
    return 0


def _add_cifti(figure, files, meshes, choices):
    """Add the layers of the CIFTI-2 files among ``files`` (on ``--surf`` meshes); the other files.

    Without CIFTI files, the ``--surf`` meshes are opened as surfaces.
    """
    from ..io.cifti import is_cifti

    cifti = [Path(f) for f in files if is_cifti(f)]
    if not cifti:
        return [*files, *(meshes or [])]
    for path in cifti:
        for layer in _cifti_layers(path, [Path(m) for m in meshes or []], choices):
            figure.add(layer)
    return [f for f in files if not is_cifti(f)]


def _cifti_layers(path, meshes, choices):
    """A surface layer per cortical hemisphere of a CIFTI-2 file, and a map or atlas of its voxels."""
    from ..io.cifti import HEMISPHERES, cifti_atlas, read_cifti
    from ..layers.registry import kind_for_role

    cifti = read_cifti(path, name=f"'{path.name}'")
    counts = {hemi: int(cifti.models.nvertices[structure]) for hemi, structure in HEMISPHERES.items()
              if structure in cifti.models.nvertices}
    layers, stem = [], path.name.split(".")[0]
    if counts and len(meshes) != len(counts):
        raise _meshes_needed(path, counts, meshes)
    index = 0 if choices.volume is None else cifti.map_index(choices.volume, "volume")
    if choices.volume is None and cifti.n_maps > 1:
        _note(f"'{path.name}' holds {cifti.n_maps} maps; showing map 0 (choose another with --volume N).")
    several = cifti.n_maps > 1
    for (hemi, _), mesh in zip(counts.items(), meshes):
        layers.append(_cifti_surface(path, mesh, hemi, index if several else None, choices, f"{stem} {hemi}"))
    if cifti.has_volume and cifti.kind == "label":
        atlas = cifti_atlas(path, map=index) if several else path  # the path, for sessions and scripts
        layers.append(kind_for_role("atlas").model(atlas, name=stem))
    elif cifti.has_volume:
        chosen = {k: getattr(choices, k) for k in ("cmap", "threshold") if getattr(choices, k) is not None}
        volume = index if several else None
        layers.append(kind_for_role("map").model(path, volume=volume, name=stem, **chosen))
    return layers


def _meshes_needed(path, counts, meshes):
    """The error for ``--surf`` meshes missing (or too many) for a CIFTI file's hemispheres."""
    held = ", ".join(f"{hemi} cortex: {n} vertices" for hemi, n in counts.items())
    add = " ".join(f"{hemi[0].upper()}.surf.gii" for hemi in counts)
    made_on = ("fs_LR 32k, e.g. the HCP S1200.L/R.midthickness_MSMAll.32k_fs_LR.surf.gii or "
               "templateflow's tpl-fsLR" if 32492 in counts.values() else "meshes of those vertex counts")
    return BrainviewValueError(
        f"surf: '{path.name}' holds cortical data ({held}) and needs the mesh of each hemisphere it "
        f"was made on, got {len(meshes)}: {'give exactly' if meshes else 'add'} --surf {add} (in this "
        f"order; {made_on}).")


def _cifti_surface(path, mesh, hemi, index, choices, name):
    """The surface layer of one hemisphere of a CIFTI file: its path, or the map ``index`` read here."""
    import inspect

    from ..io.cifti import cifti_overlay
    from ..layers.registry import kind_for_role

    surface_model = kind_for_role("surface").model  # the kind the registry opens this role as
    options = {"cmap": choices.cmap} if choices.cmap is not None else {}
    if index is None:
        return surface_model(mesh, path, hemi=hemi, name=name, **options)
    if "column" in inspect.signature(surface_model).parameters:  # picks a column of per-vertex data
        return surface_model(mesh, path, hemi=hemi, column=index, name=name, **options)
    overlay = cifti_overlay(path, hemi=hemi, n_vertices=None, column=index)  # values or regions
    with warnings.catch_warnings():  # the vertices the file leaves out (medial wall) are NaN by design
        warnings.filterwarnings("ignore", "overlay: .* values are NaN", BrainviewWarning)
        return surface_model(mesh, overlay, hemi=hemi, name=name, **options)


def _is_scene(path):
    """A scene file, or a PNG/TIFF/SVG/PDF figure brainview wrote with its scene in it."""
    from ..export.recipe import has_embedded_scene

    return path.lower().endswith(SCENE_SUFFIXES) or has_embedded_scene(path)


def _open_scene(path, *, allow_outside):
    """Load a scene file; say which files outside its folder it reads (only with --allow-outside)."""
    from ..export.scene_file import load_scene, scene_references

    if allow_outside:
        for outside in scene_references(path, outside_only=True):
            _note(f"the scene reads '{outside}', outside its folder (--allow-outside).")
    return load_scene(path, allow_outside=allow_outside)


def _screenshot(figure, args):
    out = Path(args.screenshot)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, size=tuple(args.size) if args.size else None)
    return out


def _movie(figure, args):
    from ..export.movie import write_movie

    out = Path(args.movie)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.size:
        figure.size = tuple(args.size)
    write_movie(figure, out, orbit=args.orbit, n_frames=args.frames, fps=args.fps,
                progress=sys.stderr.isatty())
    return out


def _demo_figure(args):
    from ..demo import showcase

    return showcase(size=tuple(args.size or (800, 600)))


if __name__ == "__main__":
    sys.exit(main())
