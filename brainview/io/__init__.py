"""Loading and validation of every input kind brainview accepts.

One entry point per kind of input:

- :func:`load_image` — a 3-D image in world space: a path (``.nii``,
  ``.nii.gz``, ``.mgz``, anything nibabel reads), a nibabel image (so every
  nilearn Niimg-like), or an ``(array, affine)`` pair.
- :func:`load_surface` — a triangle mesh: a GIfTI or FreeSurfer geometry file,
  a ``(vertices, faces)`` pair, or a nilearn mesh object.
- :func:`load_surface_data` — one value per vertex: an array, a GIfTI/MGH file,
  a FreeSurfer morphometry file (``lh.sulc``, ``lh.thickness``...) or
  ``.label`` file (a vertex subset), or nilearn's ``PolyData``/``SurfaceImage``.
- :func:`load_surface_labels` — named, coloured regions per vertex: a
  FreeSurfer ``.annot`` or a GIfTI label file.

:func:`vtk_ready` is the one place data is made fit for VTK, which reads raw
memory: native byte order and a dtype VTK has, without a copy when the array
already is. :func:`load_image` applies it, so every :class:`Image` holds
VTK-ready data; :func:`brainview.geometry.volume.index_image` (the one place
numpy memory becomes ``vtkImageData``) applies it again to arrays that come
another way.

The modules, by concern:

- :mod:`brainview.io.images` — :class:`Image`, :func:`load_image`, the image
  file reader, :func:`finite_data`;
- :mod:`brainview.io.gzip_stream` — ``.nii.gz``/``.mgz`` inflated once, header first;
- :mod:`brainview.io.guards` — hostile-file checks (special files, declared
  sizes, affines, coordinates, external GIfTI data);
- :mod:`brainview.io.gifti` — GIfTI XML vetted before nibabel reads it;
- :mod:`brainview.io.surfaces` — meshes and per-vertex values;
- :mod:`brainview.io.surface_labels` — ``.annot`` and GIfTI label tables;
- :mod:`brainview.io.arrays` — :func:`vtk_ready` and the memory layout of loaded data;
- :mod:`brainview.io.tractography` — :func:`read_streamlines`: tractograms as
  :class:`StreamlineData` (files read by :mod:`brainview.io.tractography_files`,
  packed and checked by :mod:`brainview.io.streamline_data`);
- :mod:`brainview.io.cifti` — CIFTI-2 maps split into per-vertex values and a volume (:func:`read_cifti`).

Examples
--------
>>> import numpy as np
>>> from brainview.io import load_image
>>> img = load_image((np.zeros((4, 5, 6)), np.eye(4)))
>>> img.shape
(4, 5, 6)
"""

from .arrays import vtk_ready
from .gifti import read_gifti
from .guards import MAX_VOXEL_SIZE_RATIO, MAX_WORLD_MM, check_affine
from .images import Image, all_finite, finite_data, load_image, read_dataobj, read_image_file
from .surface_labels import SurfaceLabels, load_surface_labels
from .surfaces import Surface, load_surface, load_surface_columns, load_surface_data
from .cifti import read_cifti
from .tractography import StreamlineData, read_streamlines

__all__ = ["Image", "Surface", "SurfaceLabels", "load_image", "load_surface", "load_surface_columns", "load_surface_data",
           "load_surface_labels", "read_gifti", "read_image_file", "vtk_ready", "finite_data",
           "all_finite", "read_dataobj", "check_affine", "MAX_WORLD_MM", "MAX_VOXEL_SIZE_RATIO", "read_cifti",
           "StreamlineData", "read_streamlines"]
