"""Several views of a map on the cortical surface, in one image.

:func:`surface_montage` renders each view (by default left lateral, left
medial, right lateral, right medial) off-screen with its own camera and
tiles the pictures with numpy. That is the simplest correct approach: each
panel shows exactly one hemisphere (a medial view must not see the other
hemisphere's lateral side), and its camera frames that hemisphere alone.

Examples
--------
>>> import numpy as np
>>> from brainview.montage import tile
>>> tile([np.zeros((2, 3, 3), np.uint8)] * 4, ncols=2).shape
(4, 6, 3)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import colors
from .errors import BrainviewValueError, describe
from .geometry.surface_maps import HEMI_VIEW_NAMES, hemi_view
from .statmap_colors import color_range, default_cmap, stat_cmap

#: The classic four views.
DEFAULT_VIEWS = (("left", "lateral"), ("left", "medial"), ("right", "lateral"), ("right", "medial"))


def tile(images, *, ncols=2, fill=255):
    """Tile equally sized ``(h, w, 3)`` images row by row into one image."""
    images = [np.asarray(image) for image in images]
    if not images or any(image.shape != images[0].shape for image in images):
        raise BrainviewValueError("images: expected one or more images of the same shape.")
    nrows = -(-len(images) // ncols)
    height, width, channels = images[0].shape
    out = np.full((nrows * height, ncols * width, channels), fill, dtype=images[0].dtype)
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        out[row * height:(row + 1) * height, col * width:(col + 1) * width] = image
    return out


def _check_views(views):
    try:
        pairs = [(hemi, view) for hemi, view in views]
    except (TypeError, ValueError):
        raise BrainviewValueError(
            f"views: expected (hemi, view) pairs such as ('left', 'lateral'), got {describe(views)}."
        ) from None
    if not pairs:
        raise BrainviewValueError("views: expected at least one (hemi, view) pair.")
    for hemi, view in pairs:
        try:
            hemi_view(hemi, view)
        except BrainviewValueError as error:
            raise BrainviewValueError(f"views: {error}") from None
    return pairs


def surface_textures(img, *, masker=None):
    """Per-hemisphere fsaverage5 values ``{"left": (10242,), "right": (10242,)}`` of a map.

    ``img`` is an image (projected with nilearn's ``vol_to_surf`` between the
    white and pial surfaces) or already a dict of per-vertex arrays.
    """
    from .datasets import fsaverage5_surface
    from .geometry.surface_maps import project_to_surface
    from .io import load_image, load_surface_data
    from .layers.stat_map import load_stat_maps

    if isinstance(img, dict) and set(img) == {"left", "right"}:
        return {hemi: load_surface_data(img[hemi], n_vertices=10242, name=f"img[{hemi!r}]")
                for hemi in ("left", "right")}
    image = load_image(load_stat_maps(img, masker=masker))
    return {hemi: project_to_surface(image, fsaverage5_surface("pial", hemi=hemi),
                                     fsaverage5_surface("white", hemi=hemi))
            for hemi in ("left", "right")}


def surface_montage(img, *, threshold=None, vmax=None, cmap=None, symmetric="auto",
                    inflated=True, views=DEFAULT_VIEWS, ncols=2, panel_size=(400, 300),
                    bgcolor="white", path=None, masker=None):
    """A map on both fsaverage5 hemispheres seen from several sides, as one image.

    Parameters
    ----------
    img : image or {"left": array, "right": array}
        A volume (projected on fsaverage5) or per-vertex values.
    threshold, vmax, cmap, symmetric :
        As :func:`brainview.stat_map`; the colour rules are the same
        (:mod:`brainview.statmap_colors`), computed on the volume's values
        (or on the vertex values when given per vertex).
    inflated : bool
        Inflated (True) or pial meshes.
    views : sequence of (hemi, view)
        ``view`` in ``"lateral"``, ``"medial"``, ``"dorsal"``, ``"ventral"``.
    ncols : int
        Panels per row.
    panel_size : (int, int)
        Pixels of each panel.
    bgcolor : colour
    path : str or Path, optional
        Also write the image there (PNG or JPEG).
    masker : fitted nilearn masker, optional
        For a ``coef_`` vector, as :func:`brainview.stat_map`.

    Returns
    -------
    ndarray
        ``(rows * height, ncols * width, 3)`` uint8.
    """
    from .scene import Figure, check_size
    from .io import load_image
    from .layers import Surface
    from .statmap_colors import MIN_LEVEL
    from .layers.stat_map import load_stat_maps

    pairs = _check_views(views)
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise BrainviewValueError(f"ncols: expected an integer >= 1, got {ncols!r}.")
    width, height = check_size(panel_size, "panel_size")
    textures = surface_textures(img, masker=masker)
    if isinstance(img, dict) and set(img) == {"left", "right"}:
        values = np.concatenate(list(textures.values()))
    else:
        values = load_image(load_stat_maps(img, masker=masker)).data
    values = np.where(np.isfinite(values), values, 0.0)
    cmap = default_cmap() if cmap is None else cmap
    level = max(colors.resolve_threshold(threshold, values), MIN_LEVEL)
    crange = color_range(values, vmax=vmax, symmetric=symmetric)
    panels = []
    for hemi in dict.fromkeys(hemi for hemi, _ in pairs):
        figure = Figure(size=(width, height), bgcolor=bgcolor, antialias=False)
        try:
            figure.add(Surface("fsaverage5", textures[hemi], hemi=hemi, inflated=inflated,
                               bg_map="sulc", cmap=stat_cmap(cmap, crange),
                               clim=(crange.vmin, crange.vmax),
                               threshold=level, color=(0.85, 0.85, 0.85)))
            for index, (h, view) in enumerate(pairs):
                if h == hemi:
                    figure.view(hemi_view(hemi, view))
                    panels.append((index, figure.screenshot()))
        finally:
            figure.close()
    image = tile([panel for _, panel in sorted(panels, key=lambda p: p[0])], ncols=int(ncols),
                 fill=int(round(255 * np.mean(colors.to_rgb(bgcolor)))))
    if path is not None:
        write_image(image, path)
    return image


def write_image(pixels, path):
    """Write an ``(h, w, 3)`` uint8 image to a PNG or JPEG file."""
    from . import _vtk
    from vtkmodules.util.numpy_support import numpy_to_vtk

    path = Path(path)
    writers = {".png": _vtk.vtkPNGWriter, ".jpg": _vtk.vtkJPEGWriter, ".jpeg": _vtk.vtkJPEGWriter}
    if path.suffix.lower() not in writers:
        raise BrainviewValueError(f"path: use a .png or .jpg file name, got '{path}'.")
    height, width, _ = pixels.shape
    image = _vtk.vtkImageData()
    image.SetDimensions(width, height, 1)
    image.GetPointData().SetScalars(numpy_to_vtk(np.flipud(pixels).reshape(-1, 3).copy(), deep=True))
    writer = writers[path.suffix.lower()]()
    writer.SetFileName(str(path))
    writer.SetInputData(image)
    writer.Write()


__all__ = ["surface_montage", "surface_textures", "tile", "write_image", "DEFAULT_VIEWS", "HEMI_VIEW_NAMES"]
