"""Small in-memory inputs shared by the kinds' examples (``Kind.example``): no files, no network.

Examples
--------
>>> blob().shape, float(AFFINE[0, 0])
((20, 20, 20), -2.0)
"""

from __future__ import annotations

import numpy as np

#: A flipped (LAS), shifted 2 mm grid: examples are placed by their affine, never by index.
AFFINE = np.array([[-2.0, 0, 0, 20], [0, 2, 0, -18], [0, 0, 2, -16], [0, 0, 0, 1]])


def blob(sign=1.0):
    """A 20^3 ball, 6 at its centre falling to 0 at 6 voxels."""
    ijk = np.indices((20, 20, 20)).astype(np.float32)
    distance = np.sqrt(((ijk - 9.5) ** 2).sum(0))
    return (sign * np.clip(6.0 - distance, 0, None)).astype(np.float32)


def signed_blob():
    """The ball, negative in its first half: a map with both signs."""
    data = blob()
    data[:10] *= -1
    return data


def two_regions():
    """Labels 1 and 2 in two boxes on a 20^3 grid."""
    labels = np.zeros((20, 20, 20), dtype=np.int16)
    labels[3:9, 4:16, 4:16] = 1
    labels[11:17, 4:16, 4:16] = 2
    return labels


def tetrahedron():
    """``(vertices, faces)`` of a tetrahedron with 20 mm edges along the axes."""
    vertices = np.array([[0, 0, 0], [20, 0, 0], [0, 20, 0], [0, 0, 20.0]])
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])
    return vertices, faces


def three_node_graph():
    """``(matrix, coords)`` of a signed 3-node graph."""
    matrix = np.array([[0, 0.8, -0.5], [0.8, 0, 0.3], [-0.5, 0.3, 0]])
    coords = np.array([[-30.0, 0, 0], [30, 0, 0], [0, 30, 20]])
    return matrix, coords
