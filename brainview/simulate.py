"""Synthetic fMRI-like data in MNI space with a known discriminative pattern.

:func:`make_decoder_dataset` makes a two-class data set whose classes differ
only in two planted blobs (one more active for each class), so that a
decoder's weight map can be checked against the truth: positive weights in
the ``"face"`` blob, negative in the ``"house"`` blob (for the ``"face"`` class).

Examples
--------
>>> from brainview.simulate import make_decoder_dataset
>>> data = make_decoder_dataset(n_samples=20, rng=0)
>>> data["imgs"].shape[3], sorted(set(data["labels"].tolist()))
(20, ['face', 'house'])
"""

from __future__ import annotations

import numpy as np

from .errors import BrainviewValueError

#: Centres (MNI mm) of the planted blobs: right and left ventral temporal cortex.
BLOB_CENTERS = {"face": (40.0, -52.0, -18.0), "house": (-28.0, -50.0, -10.0)}


def make_decoder_dataset(*, n_samples=120, resolution=4, blob_radius=10.0, effect=0.6,
                         rng=None):
    """Two-class "face"/"house" fMRI-like images with planted discriminative blobs.

    Each sample is white noise inside the MNI brain mask; "face" samples add
    ``effect`` (in noise standard deviations) inside the face blob, "house"
    samples inside the house blob. The true weight map of the face-vs-house
    contrast is +1 in the face blob and -1 in the house blob.

    Parameters
    ----------
    n_samples : int
        Number of images (half per class), at least 4.
    resolution : {2, 4}
        Voxel size in mm (4 mm: every other voxel of the 2 mm mask).
    blob_radius : float
        mm.
    effect : float
        Signal added inside a class's blob, in noise standard deviations.
    rng : int or numpy.random.Generator, optional
        Seed or generator (default: seed 0, so the data set is reproducible).

    Returns
    -------
    dict
        ``"imgs"`` 4-D ``Nifti1Image`` (x, y, z, n_samples), ``"labels"``
        (n_samples,) str, ``"mask_img"``, ``"pattern_img"`` (the true
        face-minus-house weights: +1, -1, 0), ``"blob_centers"``.
    """
    import nibabel as nib

    if not isinstance(n_samples, (int, np.integer)) or n_samples < 4:
        raise BrainviewValueError(f"n_samples: expected an integer >= 4, got {n_samples!r}.")
    rng = np.random.default_rng(0 if rng is None else rng)
    mask, affine, ijk, world = _brain_grid(resolution)
    pattern = np.zeros(len(ijk), dtype=np.float32)
    for sign, label in ((1.0, "face"), (-1.0, "house")):
        inside = np.linalg.norm(world - np.asarray(BLOB_CENTERS[label]), axis=1) <= blob_radius
        pattern[inside] = sign
    labels = np.array(["face", "house"] * (n_samples // 2) + ["face"] * (n_samples % 2))
    labels = labels[rng.permutation(n_samples)]
    signal = np.where(labels[:, None] == "face", pattern > 0, pattern < 0).astype(np.float32)
    samples = rng.standard_normal((n_samples, len(ijk)), dtype=np.float32) + effect * signal
    data = np.zeros(mask.shape + (n_samples,), dtype=np.float32)
    data[tuple(ijk.T)] = samples.T
    truth = np.zeros(mask.shape, dtype=np.float32)
    truth[tuple(ijk.T)] = pattern
    return {
        "imgs": nib.Nifti1Image(data, affine),
        "labels": labels,
        "mask_img": nib.Nifti1Image(mask.astype(np.int8), affine),
        "pattern_img": nib.Nifti1Image(truth, affine),
        "blob_centers": dict(BLOB_CENTERS),
    }


def make_network_timeseries(networks, *, n_timepoints=200, coupling=0.7, random_state=0):
    """Regional time series with a known network structure.

    Each network has a latent signal; a region's series is ``coupling`` times
    its network's signal plus independent noise, so regions of one network
    correlate (about ``coupling**2 / (coupling**2 + (1 - coupling)**2)``)
    and regions of different networks do not. Regions labelled
    ``"unassigned"`` get noise only.

    Parameters
    ----------
    networks : sequence of str
        The network of each region (for example Seitzman's).
    n_timepoints : int
    coupling : float
        Weight of the shared network signal, 0..1.
    random_state : int or numpy.random.Generator

    Returns
    -------
    ndarray, shape (n_timepoints, n_regions)

    Examples
    --------
    >>> series = make_network_timeseries(["a", "a", "b"], n_timepoints=500)
    >>> corr = np.corrcoef(series.T)
    >>> bool(corr[0, 1] > 0.5 > abs(corr[0, 2]))
    True
    """
    rng = np.random.default_rng(random_state)
    networks = np.asarray([str(n) for n in networks])
    names = sorted(set(networks) - {"unassigned"})
    latent = {name: rng.standard_normal(n_timepoints) for name in names}
    series = (1 - coupling) * rng.standard_normal((n_timepoints, len(networks)))
    for index, network in enumerate(networks):
        if network in latent:
            series[:, index] += coupling * latent[network]
    return series


#: Planted resting-state networks of :func:`make_resting_state_dataset`: the
#: MNI centres (mm) of each network's nodes, at the usual literature peaks.
RESTING_NETWORKS = {
    "default mode": ((0.0, 52.0, -6.0), (0.0, -54.0, 28.0), (-46.0, -68.0, 32.0),
                     (46.0, -68.0, 32.0)),
    "visual": ((-8.0, -88.0, 4.0), (8.0, -88.0, 4.0)),
    "sensorimotor": ((-38.0, -24.0, 58.0), (38.0, -24.0, 58.0)),
    "auditory": ((-54.0, -20.0, 8.0), (54.0, -20.0, 8.0)),
    "salience": ((0.0, 22.0, 38.0), (-38.0, 16.0, 0.0), (38.0, 16.0, 0.0)),
    "dorsal attention": ((-26.0, -58.0, 54.0), (26.0, -58.0, 54.0)),
}

#: Planted partial correlations between the networks' latent time series:
#: sensory pairs couple, the dorsal attention network anticorrelates with the
#: default mode network; every other pair is conditionally independent, so
#: the true partial-correlation graph has exactly these edges.
NETWORK_COUPLINGS = {
    ("sensorimotor", "auditory"): 0.4,
    ("visual", "dorsal attention"): 0.4,
    ("default mode", "dorsal attention"): -0.4,
    ("salience", "auditory"): 0.35,
}


def network_partial_correlation(names=tuple(RESTING_NETWORKS), couplings=None):
    """The planted partial-correlation matrix between the networks' latent time series.

    Parameters
    ----------
    names : sequence of str
        Network names, in the order of the matrix.
    couplings : dict, optional
        ``{(name, name): partial correlation}`` (default :data:`NETWORK_COUPLINGS`).

    Returns
    -------
    ndarray, shape (n_networks, n_networks)
        Symmetric, unit diagonal, the couplings off the diagonal, 0 elsewhere
        (nilearn's ``kind="partial correlation"`` convention).

    Examples
    --------
    >>> partial = network_partial_correlation()
    >>> partial.shape, float(partial[2, 3]), float(partial[0, 1])
    ((6, 6), 0.4, 0.0)
    """
    names = list(names)
    partial = np.eye(len(names))
    for (first, second), value in (NETWORK_COUPLINGS if couplings is None else couplings).items():
        for name in (first, second):
            if name not in names:
                raise BrainviewValueError(f"couplings: unknown network {name!r}; "
                                          f"use one of {', '.join(names)}.")
        i, j = names.index(first), names.index(second)
        partial[i, j] = partial[j, i] = value
    if np.linalg.eigvalsh(2 * np.eye(len(names)) - partial).min() <= 0:
        raise BrainviewValueError(f"couplings: no Gaussian process has these partial "
                                  f"correlations ({couplings!r}); use weaker couplings.")
    return partial


def make_resting_state_dataset(*, n_subjects=2, n_timepoints=150, resolution=2, blob_fwhm=14.0,
                               amplitude=3.0, rng=None):
    """Resting-state-like 4-D images with planted networks, for decomposition examples.

    Each network of :data:`RESTING_NETWORKS` has a latent time series shared
    by its nodes (Gaussian, different per subject, with the partial
    correlations of :data:`NETWORK_COUPLINGS` across networks): a voxel's
    series is ``amplitude`` times the sum over networks of the network's
    spatial profile (Gaussian blobs, peak 1 at each node) times its latent
    signal, plus white noise of unit variance, inside the MNI brain mask. A
    decomposition should find one component per network, and a
    partial-correlation graph between the components the planted couplings.

    Parameters
    ----------
    n_subjects : int
    n_timepoints : int
        Per subject, at least 10.
    resolution : {2, 4}
        Voxel size in mm (4 mm: every other voxel of the 2 mm MNI grid).
    blob_fwhm : float
        Full width at half maximum of each blob, mm.
    amplitude : float
        Network signal at a blob centre, in noise standard deviations.
    rng : int or numpy.random.Generator, optional
        Seed or generator (default: seed 0, so the data set is reproducible).

    Returns
    -------
    dict
        ``"imgs"``: a list of ``n_subjects`` 4-D ``Nifti1Image`` (x, y, z, t);
        ``"mask_img"``; ``"networks_img"``: a 4-D image of the planted spatial
        profiles, one per network; ``"network_names"``; ``"network_centers"``;
        ``"network_partial_correlation"``: the planted partial correlations
        (:func:`network_partial_correlation`).

    Examples
    --------
    >>> data = make_resting_state_dataset(n_subjects=1, n_timepoints=12, resolution=4)
    >>> data["imgs"][0].shape[3], data["networks_img"].shape[3], data["network_names"][0]
    (12, 6, 'default mode')
    """
    import nibabel as nib

    for value, name, low in ((n_subjects, "n_subjects", 1), (n_timepoints, "n_timepoints", 10)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise BrainviewValueError(f"{name}: expected an integer >= {low}, got {value!r}.")
    rng = np.random.default_rng(0 if rng is None else rng)
    mask, affine, ijk, world = _brain_grid(resolution)
    names = list(RESTING_NETWORKS)
    profiles = _network_profiles(world, [RESTING_NETWORKS[name] for name in names], blob_fwhm)
    partial = network_partial_correlation(names)
    imgs = []
    for _ in range(n_subjects):
        latent = _latent_series(partial, n_timepoints, rng)
        # (voxel, time) in memory order, written into the image by whole rows.
        series = rng.standard_normal((len(ijk), n_timepoints), dtype=np.float32)
        series += amplitude * (profiles.T @ latent.T)
        data = np.zeros(mask.shape + (n_timepoints,), dtype=np.float32)
        data[mask] = series
        imgs.append(nib.Nifti1Image(data, affine))
    truth = np.zeros(mask.shape + (len(names),), dtype=np.float32)
    truth[tuple(ijk.T)] = profiles.T
    return {
        "imgs": imgs,
        "mask_img": nib.Nifti1Image(mask.astype(np.int8), affine),
        "networks_img": nib.Nifti1Image(truth, affine),
        "network_names": names,
        "network_centers": {name: list(RESTING_NETWORKS[name]) for name in names},
        "network_partial_correlation": partial,
    }


def _latent_series(partial, n_timepoints, rng):
    """(n_timepoints, n) float32 unit-variance Gaussian series with these partial correlations."""
    # The precision 2I - partial has exactly these partial correlations; scaling
    # its inverse (the covariance) to unit variances keeps them.
    covariance = np.linalg.inv(2 * np.eye(len(partial)) - partial)
    scale = 1 / np.sqrt(np.diag(covariance))
    mixing = np.linalg.cholesky(covariance * np.outer(scale, scale)).astype(np.float32)
    return rng.standard_normal((n_timepoints, len(partial)), dtype=np.float32) @ mixing.T


def _network_profiles(world, centres_per_network, blob_fwhm):
    """(n_networks, n_voxels) float32: the max of Gaussian blobs at each network's centres.

    Values under 1% are set to 0 so that the networks do not overlap through their tails.
    """
    sigma = blob_fwhm / (2 * np.sqrt(2 * np.log(2)))
    profiles = np.zeros((len(centres_per_network), len(world)), dtype=np.float32)
    for index, centres in enumerate(centres_per_network):
        for centre in centres:
            distance2 = ((world - np.asarray(centre)) ** 2).sum(axis=1)
            profiles[index] = np.maximum(profiles[index], np.exp(-distance2 / (2 * sigma**2)))
    profiles[profiles < 0.01] = 0.0
    return profiles


def make_subject_zmaps(folder, *, n_subjects=6, resolution=None, max_shift=1.0, noise=0.3,
                       random_state=0):
    """Write stand-in subject z-maps: a real motor map, shifted and noised per subject.

    Each subject is nilearn's motor-task z-map (see
    :func:`brainview.datasets.load_motor_map`) moved by up to ``max_shift``
    voxels along each axis (linear interpolation) plus Gaussian noise, saved
    as ``folder/sub-XX/zmap.nii.gz``: a folder of subjects for batch and QC
    examples.

    Parameters
    ----------
    folder : str or pathlib.Path
        Where the ``sub-XX`` folders go (created).
    n_subjects : int
    resolution : {None, 1, 2}
        ``None``: the map's own 3 mm grid; 1 or 2: resampled (continuous)
        onto the MNI152 grid of that voxel size first.
    max_shift : float
        Largest shift, in voxels, along each axis.
    noise : float
        Standard deviation of the added noise (z units).
    random_state : int
        Seed of the shifts and the noise.

    Returns
    -------
    list of pathlib.Path
        The z-map files, in subject order.

    Examples
    --------
    >>> import tempfile
    >>> paths = make_subject_zmaps(tempfile.mkdtemp(), n_subjects=2)
    >>> [f"{p.parent.name}/{p.name}" for p in paths]
    ['sub-00/zmap.nii.gz', 'sub-01/zmap.nii.gz']
    """
    from pathlib import Path

    import nibabel as nib
    from scipy.ndimage import shift

    from .datasets import load_mni152, load_motor_map

    if isinstance(n_subjects, bool) or not isinstance(n_subjects, int) or n_subjects < 1:
        raise BrainviewValueError(f"n_subjects: expected a positive whole number, got {n_subjects!r}.")
    template = load_motor_map()
    if resolution is not None:
        from nilearn.image import resample_to_img

        template = resample_to_img(template, load_mni152(resolution=resolution), interpolation="continuous",
                                   force_resample=True, copy_header=True)
    data = np.asarray(template.dataobj, dtype=np.float32)
    rng = np.random.default_rng(random_state)
    paths = []
    for number in range(n_subjects):
        subject = shift(data, rng.uniform(-max_shift, max_shift, size=3), order=1)
        subject = subject + rng.normal(0, noise, data.shape)
        path = Path(folder) / f"sub-{number:02d}" / "zmap.nii.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        nib.save(nib.Nifti1Image(subject.astype(np.float32), template.affine), path)
        paths.append(path)
    return paths


def _brain_grid(resolution):
    """The MNI brain mask on the 2 or 4 mm grid: ``(mask, affine, ijk, world)`` of its voxels."""
    from .datasets import load_mni152_brain_mask

    if resolution not in (2, 4):
        raise BrainviewValueError(f"resolution: must be 2 or 4 (mm), got {resolution!r}.")
    mask2 = load_mni152_brain_mask(resolution=2)
    mask, affine = np.asarray(mask2.dataobj).astype(bool), mask2.affine
    if resolution == 4:
        mask, affine = mask[::2, ::2, ::2], affine @ np.diag([2.0, 2.0, 2.0, 1.0])
    ijk = np.argwhere(mask)
    return mask, affine, ijk, ijk @ affine[:3, :3].T + affine[:3, 3]
