"""Image writers: pixels from a render window to PNG/JPEG/TIFF files, dpi and print settings.

Examples
--------
>>> import numpy as np
>>> encode_png(np.zeros((2, 3, 3), np.uint8))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import contextlib
import json
import struct
import zlib

import numpy as np

from .. import _vtk
from ..errors import BrainviewValueError

__all__ = ["FIGURE_DPI", "IMAGE_WRITERS", "print_scale", "TRANSLUCENCY_MODES", "VECTOR_FORMATS", "check_image_path", "drawing_translucency",
           "encode_png", "grab", "print_settings", "unpremultiply", "write_image"]

#: Raster formats: suffix -> VTK writer class (vtkmodules.vtkIOImage).
IMAGE_WRITERS = {".png": "vtkPNGWriter", ".jpg": "vtkJPEGWriter", ".jpeg": "vtkJPEGWriter",
                 ".tif": "vtkTIFFWriter", ".tiff": "vtkTIFFWriter"}
#: Vector formats (pages drawn by :mod:`brainview.render.vector`).
VECTOR_FORMATS = (".pdf", ".svg", ".eps", ".ps")
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
    if transparent and suffix not in (".png", ".tif", ".tiff", ".pdf", ".svg"):
        raise BrainviewValueError(
            f"transparent: {path.suffix} images have no alpha channel; save a .png, "
            f".tiff, .pdf or .svg file for a transparent background (got '{path}')."
        )


#: Pixels per inch of a figure's own size: a figure of 800x600 pixels is 8x6 inches, as in matplotlib.
FIGURE_DPI = 100


def print_scale(scale, dpi):
    """``(scale, dpi)`` of a saved image from either (or neither): ``dpi = FIGURE_DPI * scale``.

    Examples
    --------
    >>> print_scale(None, None), print_scale(3, None), print_scale(None, 300)
    ((1.0, 100.0), (3.0, 300.0), (3.0, 300.0))
    """
    from ..errors import check_number

    if scale is not None and dpi is not None:
        scale, dpi = check_number(scale, "scale", minimum=0, strict=True), check_number(dpi, "dpi", minimum=0, strict=True)
        if abs(dpi - FIGURE_DPI * scale) > 1e-6 * dpi:
            raise BrainviewValueError(
                f"scale, dpi: scale={scale} means {FIGURE_DPI * scale:g} dpi, not dpi={dpi}; give one of them.")
        return scale, dpi
    if dpi is not None:
        dpi = check_number(dpi, "dpi", minimum=0, strict=True)
        return dpi / FIGURE_DPI, dpi
    scale = 1.0 if scale is None else check_number(scale, "scale", minimum=0, strict=True)
    return scale, FIGURE_DPI * scale


def write_image(path, pixels, *, dpi=FIGURE_DPI, texts=None):
    """Write an ``(height, width, 3 or 4)`` uint8 image to a PNG, JPEG or TIFF file (by suffix).

    Parameters
    ----------
    path : pathlib.Path
    pixels : ndarray
        RGB, or RGBA with straight (unassociated) alpha.
    dpi : float
        Recorded in the file (PNG ``pHYs``, TIFF and JPEG resolution).
    texts : dict of str, optional
        ``{keyword: text}`` stored in the file: compressed ``iTXt`` chunks of
        a PNG; a TIFF holds them as one JSON object in its ``ImageDescription``.
        JPEG files hold none.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> path = Path(tempfile.mkdtemp()) / "a.tiff"
    >>> write_image(path, np.zeros((2, 3, 4), np.uint8), dpi=300)
    >>> with Image.open(path) as image:
    ...     image.info["dpi"], image.tag_v2[338]  # 338 ExtraSamples: 2 = unassociated alpha
    ((300.0, 300.0), (2,))
    """
    suffix = path.suffix.lower()
    if suffix == ".png":
        path.write_bytes(encode_png(pixels, dpi=dpi, texts=texts))
        return
    from PIL import Image  # a dependency of matplotlib: TIFF alpha and resolution VTK's writers lack

    image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA" if pixels.shape[2] == 4 else "RGB")
    options = {"dpi": (float(dpi), float(dpi))}
    if suffix in (".tif", ".tiff"):
        options["compression"] = "tiff_deflate"
        if texts:
            options["description"] = json.dumps(texts, separators=(",", ":"))  # as recipe.payload_text
    else:
        options["quality"] = 95
    image.save(path, format="TIFF" if suffix in (".tif", ".tiff") else "JPEG", **options)


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


def encode_png(pixels, *, dpi=None, texts=None):
    """PNG file bytes of an ``(height, width, 3 or 4)`` uint8 image, with its dpi and texts if given.

    ``texts`` ``{keyword: text}`` become compressed ``iTXt`` chunks (UTF-8);
    ``dpi`` a ``pHYs`` chunk. Both go right after the header, as the PNG
    specification allows.
    """
    writer = _vtk.vtkPNGWriter()
    writer.WriteToMemoryOn()
    writer.SetInputData(_vtk_image(pixels))
    writer.Write()
    png = bytes(_vtk.vtk_to_numpy(writer.GetResult()))
    chunks = []
    if dpi is not None:
        per_metre = round(float(dpi) / 0.0254)
        chunks.append(_png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    for keyword, text in (texts or {}).items():
        # keyword, NUL, compressed, method 0, empty language and translated keyword, then the text
        chunks.append(_png_chunk(b"iTXt", keyword.encode("latin-1") + b"\0\1\0\0\0"
                                 + zlib.compress(text.encode("utf-8"), 9)))
    header_end = 8 + 8 + 13 + 4  # the signature, then the IHDR chunk
    return png[:header_end] + b"".join(chunks) + png[header_end:]


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
