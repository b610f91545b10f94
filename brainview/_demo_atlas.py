"""The demo atlas: MNI grey matter split among the 300 Seitzman et al. (2018) ROIs.

Built offline from two files nilearn's wheel ships (see ``data/README.md``):
every voxel of the ICBM152 2009 grey-matter probability map above 0.3 is
given to the nearest Seitzman ROI centre if that centre is within 12 mm
(else it stays background). Regions are named ``"<network> <L|R> <n>"`` and
coloured by network. Deterministic; cached on disk keyed by a version.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import numpy as np

#: Bump when the construction changes: the cache key.
VERSION = 1
GREY_MATTER_THRESHOLD = 0.3
MAX_DISTANCE_MM = 12.0

#: One colour per Seitzman network, chosen to be told apart.
NETWORK_COLORS = {
    "DefaultMode": "#e6194b", "Visual": "#4363d8", "FrontoParietal": "#ffe119",
    "SomatomotorDorsal": "#42d4f4", "SomatomotorLateral": "#f58231",
    "CinguloOpercular": "#911eb4", "Auditory": "#f032e6", "DorsalAttention": "#3cb44b",
    "VentralAttention": "#469990", "Salience": "#000075", "MedialTemporalLobe": "#9a6324",
    "ParietoMedial": "#bfef45", "Reward": "#800000", "unassigned": "#a9a9a9",
}


@dataclass(frozen=True, eq=False)
class AtlasData:
    """A labelled volume with names and colours, shaped like a nilearn atlas Bunch.

    ``labels[i]`` and ``colors[i]`` describe label value ``i`` (``labels[0]``
    is ``"Background"``, as in nilearn >= 0.11).
    """

    maps: object
    labels: list
    colors: np.ndarray
    networks: list = field(default_factory=list)
    description: str = ""

    def __getitem__(self, key):  # nilearn Bunches allow bunch["maps"] too
        return getattr(self, key)

    def keys(self):
        return ["maps", "labels", "colors", "networks", "description"]


def load_demo_atlas(*, resolution=2):
    import nibabel as nib

    from .datasets import cache_dir

    stem = cache_dir() / f"demo_atlas_v{VERSION}_{resolution}mm"
    image_path, table_path = stem.with_suffix(".nii.gz"), stem.with_suffix(".tsv")
    if image_path.exists() and table_path.exists():
        maps = nib.load(image_path)
        names, networks, colors = _read_table(table_path)
    else:
        data, affine, names, networks = build(resolution)
        maps = nib.Nifti1Image(data, affine)
        maps.header.set_xyzt_units("mm")
        colors = _network_colors(networks)
        _write_cache(maps, names, networks, colors, image_path, table_path)
    return AtlasData(maps=maps, labels=names, colors=colors, networks=networks,
                     description=__doc__.split("\n\n")[1].replace("\n", " "))


def build(resolution):
    """The label array, its affine, the names and networks (index 0: background)."""
    import nibabel as nib
    from scipy.spatial import cKDTree

    from .datasets import load_seitzman_2018, nilearn_data_dir

    image = nib.load(nilearn_data_dir() / "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz")
    grey = np.asarray(image.dataobj, dtype=np.float32)
    grey /= grey.max()
    affine = image.affine.copy()
    if resolution == 2:  # the same grid as datasets.load_mni152(resolution=2)
        grey, affine = grey[::2, ::2, ::2], affine @ np.diag([2.0, 2, 2, 1])
    rois = load_seitzman_2018()
    ijk = np.argwhere(grey > GREY_MATTER_THRESHOLD)
    xyz = ijk @ affine[:3, :3].T + affine[:3, 3]
    distance, nearest = cKDTree(rois["coords"]).query(xyz, distance_upper_bound=MAX_DISTANCE_MM)
    keep = np.isfinite(distance)
    data = np.zeros(grey.shape, dtype=np.int16)
    data[tuple(ijk[keep].T)] = nearest[keep] + 1
    names, networks, counts = ["Background"], ["Background"], {}
    for (x, _, _), network in zip(rois["coords"], rois["networks"]):
        key = (str(network), "L" if x < 0 else "R")
        counts[key] = counts.get(key, 0) + 1
        names.append(f"{key[0]} {key[1]} {counts[key]}")
        networks.append(key[0])
    return data, affine, names, networks


def _network_colors(networks):
    from .colors import to_rgb

    return np.array([(0.0, 0.0, 0.0) if n == "Background" else to_rgb(NETWORK_COLORS[n])
                     for n in networks])


def _write_cache(maps, names, networks, colors, image_path, table_path):
    try:
        image_path.parent.mkdir(parents=True, exist_ok=True)
        partial = image_path.with_name(f".{os.getpid()}.{image_path.name}")
        maps.to_filename(partial)
        os.replace(partial, image_path)
        partial = table_path.with_name(f".{os.getpid()}.{table_path.name}")
        with open(partial, "w", newline="") as stream:
            writer = csv.writer(stream, delimiter="\t")
            writer.writerow(["index", "name", "network", "color"])
            for index, (name, network, rgb) in enumerate(zip(names, networks, colors)):
                writer.writerow([index, name, network, "#%02x%02x%02x" % tuple(np.rint(rgb * 255).astype(int))])
        os.replace(partial, table_path)
    except OSError:
        pass  # a read-only home: rebuild next time, it takes a second


def _read_table(path):
    from .colors import to_rgb

    with open(path, newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    return ([r["name"] for r in rows], [r["network"] for r in rows],
            np.array([to_rgb(r["color"]) for r in rows]))
