"""Image writers: pixels from a render window to PNG/JPEG/TIFF, vector files by gl2ps, print settings.

Examples
--------
>>> import numpy as np
>>> encode_png(np.zeros((2, 3, 3), np.uint8))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import _vtk
from ..errors import BrainviewValueError

__all__ = ["IMAGE_WRITERS", "TRANSLUCENCY_MODES", "VECTOR_FORMATS", "check_image_path", "drawing_translucency",
           "encode_png", "export_vector", "grab", "print_settings", "unpremultiply", "write_image"]

#: Raster formats: suffix -> VTK writer class (vtkmodules.vtkIOImage).
IMAGE_WRITERS = {".png": "vtkPNGWriter", ".jpg": "vtkJPEGWriter", ".jpeg": "vtkJPEGWriter",
                 ".tif": "vtkTIFFWriter", ".tiff": "vtkTIFFWriter"}
#: Vector formats of VTK's gl2ps exporter: suffix -> its setter.
VECTOR_FORMATS = {".pdf": "SetFileFormatToPDF", ".svg": "SetFileFormatToSVG",
                  ".eps": "SetFileFormatToEPS", ".ps": "SetFileFormatToPS"}
TRANSLUCENCY_MODES = ("blended", "peeled")


def check_image_path(path, *, transparent):
    """Refuse a suffix no writer handles, or ``transparent`` for a format without alpha.

    Examples
    --------
    >>> from pathlib import Path
    >>> check_image_path(Path("a.bmp"), transparent=False)
    Traceback (most recent call last):
    ...
    brainview.errors.BrainviewValueError: path: cannot write '.bmp' images; use a .png or .jpg file name (or .tiff, .pdf, .svg, .eps) (got 'a.bmp').
    """
    suffix = path.suffix.lower()
    if suffix not in IMAGE_WRITERS and suffix not in VECTOR_FORMATS:
        raise BrainviewValueError(
            f"path: cannot write {path.suffix!r} images; use a .png or .jpg file name "
            f"(or .tiff, .pdf, .svg, .eps) (got '{path}')."
        )
    if transparent and suffix not in (".png", ".tif", ".tiff"):
        raise BrainviewValueError(
            f"transparent: {path.suffix} images have no alpha channel; save a .png or "
            f".tiff file for a transparent background (got '{path}')."
        )


def write_image(path, pixels):
    """Write an ``(height, width, 3 or 4)`` uint8 image to a PNG, JPEG or TIFF file (by suffix)."""
    import vtkmodules.vtkIOImage

    writer = getattr(vtkmodules.vtkIOImage, IMAGE_WRITERS[path.suffix.lower()])()
    writer.SetFileName(str(path))
    writer.SetInputData(_vtk_image(pixels))
    writer.Write()


def export_vector(window, path):
    """Write the render window as it is to a PDF, SVG, EPS or PS file (VTK's gl2ps exporter).

    The 3-D scene is embedded as an image; text and colour bars stay vector.
    """
    try:
        import vtkmodules.vtkRenderingGL2PSOpenGL2  # noqa: F401  (gl2ps-aware OpenGL classes)
        from vtkmodules.vtkIOExportGL2PS import vtkGL2PSExporter
    except ImportError:
        raise BrainviewValueError(
            f"path: this VTK build has no gl2ps exporter, so it cannot write "
            f"{path.suffix} files; save a .png or .tiff (with scale= for print) instead."
        ) from None
    exporter = vtkGL2PSExporter()
    exporter.SetRenderWindow(window)
    getattr(exporter, VECTOR_FORMATS[path.suffix.lower()])()
    exporter.SetFilePrefix(str(path.with_suffix("")))
    exporter.CompressOff()
    # Meshes of 10^5 triangles as vector polygons make files no viewer can open:
    # the 3-D scene is embedded as an image, text and colour bars stay vector.
    exporter.Write3DPropsAsRasterImageOn()
    exporter.Write()
    written = path.with_suffix(path.suffix.lower())  # gl2ps adds a lower-case suffix
    if written != path:
        written.replace(path)


def grab(window, *, alpha=False):
    """The pixels a render window drew: ``(height, width, 3)`` uint8, 4 channels if ``alpha``."""
    grabber = _vtk.vtkWindowToImageFilter()
    grabber.SetInput(window)
    if alpha:
        grabber.SetInputBufferTypeToRGBA()
    else:
        grabber.SetInputBufferTypeToRGB()
    grabber.ReadFrontBufferOff()
    grabber.ShouldRerenderOff()
    grabber.Update()
    image = grabber.GetOutput()
    width, height, _ = image.GetDimensions()
    pixels = _vtk.vtk_to_numpy(image.GetPointData().GetScalars())
    channels = 4 if alpha else 3
    return np.flipud(pixels.reshape(height, width, -1)[:, :, :channels]).copy()


@contextlib.contextmanager
def print_settings(renderer, *, scale, transparent):
    """Temporarily scale text, lines and points by ``scale``; clear the background if ``transparent``.

    Text and colour-bar fonts have sizes in pixels: rendering at ``scale``
    times the pixels without them would shrink every label.
    """
    restore = []
    if scale != 1:
        text_props, actor_props = _pixel_sized_properties(renderer)
        for prop in text_props:
            size = prop.GetFontSize()
            restore.append((prop.SetFontSize, size))
            prop.SetFontSize(max(1, round(size * scale)))
        for prop in actor_props:
            restore.append((prop.SetLineWidth, prop.GetLineWidth()))
            restore.append((prop.SetPointSize, prop.GetPointSize()))
            prop.SetLineWidth(prop.GetLineWidth() * scale)
            prop.SetPointSize(prop.GetPointSize() * scale)
    if transparent:
        # Over black, OpenGL's blending leaves colours premultiplied by alpha,
        # which unpremultiply undoes exactly.
        restore.append((lambda rgb: renderer.SetBackground(*rgb), renderer.GetBackground()))
        restore.append((renderer.SetBackgroundAlpha, renderer.GetBackgroundAlpha()))
        renderer.SetBackground(0.0, 0.0, 0.0)
        renderer.SetBackgroundAlpha(0.0)
    try:
        yield
    finally:
        for setter, value in reversed(restore):
            setter(value)


@contextlib.contextmanager
def drawing_translucency(fig, mode):
    """Draw ``fig``'s translucent surfaces with ``mode`` inside the block.

    ``"peeled"``: depth peeling, what :meth:`Figure.savefig` draws (exact
    for up to 4 overlapping sheets). ``"blended"``: one pass of
    order-independent (weighted) blending, 2-4 times faster in software
    OpenGL, for many pictures in a row (movies, batches); it differs from
    peeling only where translucent sheets overlap.

    Examples
    --------
    >>> from brainview.scene import Figure
    >>> fig = Figure(size=(32, 24))
    >>> with drawing_translucency(fig, "blended"):
    ...     bool(fig.renderer.GetUseDepthPeeling())
    False
    >>> bool(fig.renderer.GetUseDepthPeeling())
    True
    >>> fig.close()
    """
    if mode not in TRANSLUCENCY_MODES:
        raise BrainviewValueError(f"translucency: must be 'blended' or 'peeled', got {mode!r}.")
    renderer = fig.renderer
    saved = renderer.GetUseDepthPeeling(), renderer.GetUseOIT()
    if mode == "blended":
        renderer.SetUseDepthPeeling(False)
        renderer.SetUseOIT(True)
    try:
        yield
    finally:
        renderer.SetUseDepthPeeling(saved[0])
        renderer.SetUseOIT(saved[1])


def _pixel_sized_properties(renderer):
    """The text properties and actor properties of a renderer's props, each once."""
    text_props, actor_props = {}, {}
    props = renderer.GetViewProps()
    props.InitTraversal()
    for _ in range(props.GetNumberOfItems()):
        prop = props.GetNextProp()
        for name in ("GetTextProperty", "GetTitleTextProperty", "GetLabelTextProperty",
                     "GetAnnotationTextProperty", "GetEntryTextProperty"):
            if hasattr(prop, name):
                text_props.setdefault(id(getattr(prop, name)()), getattr(prop, name)())
        mapper = prop.GetMapper() if hasattr(prop, "GetMapper") else None
        if mapper is not None and hasattr(mapper, "GetLabelTextProperty"):
            text_props.setdefault(id(mapper.GetLabelTextProperty()), mapper.GetLabelTextProperty())
        if prop.IsA("vtkActor"):
            actor_props.setdefault(id(prop.GetProperty()), prop.GetProperty())
    return [p for p in text_props.values() if p is not None], list(actor_props.values())


def unpremultiply(rgba):
    """Straight-alpha colours from colours premultiplied by alpha (rendered over black).

    Examples
    --------
    >>> import numpy as np
    >>> unpremultiply(np.array([[[64, 0, 0, 128]]], np.uint8))[0, 0].tolist()
    [128, 0, 0, 128]
    """
    alpha = rgba[:, :, 3:].astype(np.float32)
    rgb = rgba[:, :, :3].astype(np.float32)
    straight = np.where(alpha > 0, rgb * 255.0 / np.maximum(alpha, 1.0), 0.0)
    out = rgba.copy()
    out[:, :, :3] = np.clip(np.rint(straight), 0, 255).astype(np.uint8)
    return out


def _vtk_image(pixels):
    """A vtkImageData of an ``(height, width, channels)`` uint8 image (VTK's rows go up)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk

    height, width, channels = pixels.shape
    image = _vtk.vtkImageData()
    image.SetDimensions(width, height, 1)
    image.GetPointData().SetScalars(
        numpy_to_vtk(np.ascontiguousarray(np.flipud(pixels)).reshape(-1, channels), deep=True))
    return image


def encode_png(pixels):
    """PNG file bytes of an ``(height, width, 3 or 4)`` uint8 image."""
    writer = _vtk.vtkPNGWriter()
    writer.WriteToMemoryOn()
    writer.SetInputData(_vtk_image(pixels))
    writer.Write()
    return bytes(_vtk.vtk_to_numpy(writer.GetResult()))
