"""The one place that imports VTK rendering classes and holds version workarounds.

Every workaround for a VTK or pyvista version is here, each marked
``WORKAROUND`` with the version it concerns, so that it can be dropped when
the minimum version moves.

Examples
--------
>>> from brainview import _vtk
>>> _vtk.vtkRenderer().IsA("vtkRenderer")
1
"""

import functools
import os
import threading

from . import _locks
from . import geometry  # noqa: F401  (chooses VTK's SMP backend before VTK loads)

# WORKAROUND (VTK 9.4-9.7): with no display, VTK's default render window first
# tries X and prints "bad X server connection" to stderr before falling back to
# EGL; asking for EGL directly keeps the command's output clean. A user's own
# choice of window class is kept.
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import vtkmodules.vtkInteractionStyle  # noqa: E402,F401  (registers the default style)
import vtkmodules.vtkRenderingFreeType  # noqa: E402,F401  (text rendering)
import vtkmodules.vtkRenderingOpenGL2  # noqa: E402,F401  (the OpenGL render window factory)
import vtkmodules.vtkRenderingVolumeOpenGL2  # noqa: E402,F401  (GPU volume mapper factory)
from vtkmodules.util.numpy_support import vtk_to_numpy  # noqa: E402
from vtkmodules.vtkCommonCore import vtkLookupTable  # noqa: E402
from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPiecewiseFunction  # noqa: E402
from vtkmodules.vtkCommonMath import vtkMatrix4x4  # noqa: E402
from vtkmodules.vtkIOImage import vtkJPEGWriter, vtkPNGWriter  # noqa: E402
from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor  # noqa: E402
from vtkmodules.vtkRenderingAnnotation import vtkLegendBoxActor  # noqa: E402  (connectome legend)
from vtkmodules.vtkRenderingCore import vtkActor2D  # noqa: E402  (connectome labels)
from vtkmodules.vtkRenderingLabel import vtkLabeledDataMapper  # noqa: E402  (connectome labels)
from vtkmodules.vtkRenderingCore import (  # noqa: E402
    vtkActor,
    vtkCellPicker,
    vtkColorTransferFunction,
    vtkCoordinate,
    vtkGlyph3DMapper,
    vtkImageActor,
    vtkLightKit,
    vtkPolyDataMapper,
    vtkRenderer,
    vtkRenderWindow,
    vtkTextActor,
    vtkVolume,
    vtkVolumeProperty,
    vtkWindowToImageFilter,
)
from vtkmodules.vtkRenderingVolume import (  # noqa: E402
    vtkFixedPointVolumeRayCastMapper,
    vtkGPUVolumeRayCastMapper,
)

__all__ = [
    "vtkActor2D", "vtkLabeledDataMapper", "vtkLegendBoxActor",
    "vtkActor", "vtkCellPicker", "vtkImageData", "vtkPiecewiseFunction", "vtkColorTransferFunction", "vtkCoordinate",
    "vtkGlyph3DMapper", "vtkImageActor", "vtkJPEGWriter", "vtkLightKit",
    "vtkLookupTable", "vtkMatrix4x4", "vtkPNGWriter", "vtkPolyDataMapper",
    "vtkRenderWindow", "vtkRenderer", "vtkScalarBarActor", "vtkTextActor",
    "vtkVolume", "vtkVolumeProperty", "vtkWindowToImageFilter",
    "vtkFixedPointVolumeRayCastMapper", "vtkGPUVolumeRayCastMapper",
    "vtk_to_numpy", "matrix_from_numpy", "is_software_rendering", "RENDER_LOCK", "serialised",
]


def matrix_from_numpy(matrix):
    """A ``vtkMatrix4x4`` holding a 4×4 numpy matrix."""
    vtk_matrix = vtkMatrix4x4()
    for i in range(4):
        for j in range(4):
            vtk_matrix.SetElement(i, j, float(matrix[i][j]))
    return vtk_matrix


#: Held while any thread creates, renders, reads back or destroys an OpenGL
#: render window. VTK's OpenGL code shares driver state between windows (EGL,
#: GLX), so two threads rendering their own figures at once crash or read back
#: the wrong image; holding this re-entrant lock around those calls makes
#: concurrent scripting safe (geometry and loading still run in parallel).
RENDER_LOCK = _locks.RENDER_LOCK  # models hold it too, around in-place changes of VTK data


def serialised(function):
    """Run ``function`` holding :data:`RENDER_LOCK` (a decorator for methods that touch OpenGL)."""

    @functools.wraps(function)
    def locked(*args, **kwargs):
        with RENDER_LOCK:
            return function(*args, **kwargs)

    return locked


_SOFTWARE = None


def is_software_rendering():
    """True when OpenGL is Mesa's software rasteriser (llvmpipe, softpipe, swrast).

    Decides the volume mapper: on a CPU the fixed-point ray caster is about
    twice as fast as the GPU ray caster; on a real GPU the GPU one wins.
    """
    global _SOFTWARE
    if _SOFTWARE is not None:  # known: never wait for a render in progress on another thread
        return _SOFTWARE
    with RENDER_LOCK:
        if _SOFTWARE is None:
            _SOFTWARE = _probe_software()
    return _SOFTWARE


def _probe_software():
    window = vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetSize(2, 2)
    window.AddRenderer(vtkRenderer())
    window.Render()
    report = window.ReportCapabilities().lower()
    window.Finalize()
    return any(name in report for name in ("llvmpipe", "softpipe", "swrast", "software"))
