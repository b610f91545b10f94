"""
QC pictures for a folder of subjects
====================================

The same figure for every subject's z-map, rendered on all cores of this
machine, with a contact sheet (``qc/index.html``) to page through them.
A subject whose file is broken is listed as a failure; the others are still
rendered.

    python scripts/plot_batch_qc.py                      # 6 simulated subjects
    python scripts/plot_batch_qc.py "data/sub-*/zmap.nii.gz" --jobs 4

The same function runs on a dask cluster with ``backend="dask"`` inside a
``Client`` (see docs/batch.md).
"""

import argparse
import glob
import shutil
from pathlib import Path

import brainview as bv
from brainview.simulate import make_subject_zmaps


def qc(zmap):
    """The figure of one subject: built in a fresh figure by each worker."""
    bv.stat_map(zmap, threshold=3.1)
    bv.view("left")
    bv.title(Path(zmap).parent.name, size=18)


def main(argv=None):
    # Not __doc__: sphinx-gallery runs this file without its docstring.
    parser = argparse.ArgumentParser(description="QC pictures for a folder of subjects")
    parser.add_argument("pattern", nargs="?", help="glob of z-maps (default: simulated subjects)")
    parser.add_argument("--out", default=".", help="folder for qc/ (default: here)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (-1: one per core)")
    args = parser.parse_args(argv)
    out = Path(args.out) / "qc"
    zmaps = sorted(glob.glob(args.pattern)) if args.pattern else make_subject_zmaps(out.parent / "subjects")
    report = bv.render_many(qc, zmaps, out / "{parent}.png", size=(600, 400), n_jobs=args.jobs)
    index = report.write_index(out / "index.html", title="z-maps, left view, |z| > 3.1")
    print(report.summary())
    print(f"open {index}")
    if report.paths:  # the gallery's thumbnail: the first subject
        shutil.copy(report.paths[0], Path(args.out) / "plot_batch_qc.png")
    if report.failed:  # an exception, not SystemExit: sphinx-gallery runs this block too
        raise RuntimeError(f"{len(report.failed)} subject(s) failed: see {index}")
    return report


# sphinx-gallery runs this block with __name__ == "__main__" as well; a
# SystemExit here would end the whole docs build (with status 0).
if __name__ == "__main__":
    main()
