"""
A diffusion-like vector field: principal directions drawn as coloured line segments
===================================================================================

A synthetic "V1" image (three components per voxel, like FSL ``dtifit``'s
principal direction) on the 2 mm MNI grid: a corpus-callosum arc crossing
left-right, two corticospinal tracts running up and down, and the two
cingula running front to back. ``bv.vector_field`` draws one segment per
voxel, centred on it and placed by the image's affine, coloured by direction
as diffusion viewers do (red left-right, green front-back, blue up-down) and
scaled by the vectors' magnitude (here a fractional anisotropy between 0.3
and 0.8), over axial and coronal slices of the template.
"""

import numpy as np

import brainview as bv

template = bv.datasets.load_mni152(resolution=2)
affine = template.affine
shape = template.shape
ijk = np.indices(shape, dtype=np.float32).reshape(3, -1).T
x, y, z = (ijk @ affine[:3, :3].T + affine[:3, 3]).T

v1 = np.zeros((len(x), 3), np.float32)
fa = np.zeros(len(x), np.float32)

# Corpus callosum: an arc over the ventricles, tangent to it (mostly left-right).
arc_z = 18 + 14 * np.cos(np.clip(x / 45, -1, 1) * np.pi / 2)
callosum = (np.abs(x) < 45) & (np.abs(y + 5) < 22) & (np.abs(z - arc_z) < 3)
slope = -14 * np.pi / 90 * np.sin(x / 45 * np.pi / 2)
v1[callosum] = np.column_stack([np.ones(callosum.sum()), np.zeros(callosum.sum()), slope[callosum]])
fa[callosum] = 0.8

# Corticospinal tracts: vertical columns under the motor cortex.
for side in (-1, 1):
    tract = ((x - side * 22) ** 2 + (y + 18) ** 2 < 5 ** 2) & (z > -35) & (z < 60)
    v1[tract] = (side * 0.15, 0.1, 1.0)
    fa[tract] = 0.6

# Cingula: front to back just above the callosum.
for side in (-1, 1):
    cingulum = ((x - side * 8) ** 2 + (z - 38) ** 2 < 3.5 ** 2) & (y > -55) & (y < 35)
    v1[cingulum] = (0.0, 1.0, 0.1)
    fa[cingulum] = 0.45

v1 /= np.maximum(np.linalg.norm(v1, axis=1, keepdims=True), 1e-9)
field = (v1 * np.maximum(fa, 0.3)[:, None] * (fa > 0)[:, None]).reshape(shape + (3,))

bv.figure(size=(800, 600), bgcolor="black")
bv.slices(template, coords=(0, -60, -30), axes="yz", name="MNI152")
layer = bv.vector_field((field, affine), space="world", line_width=2, name="V1 x FA")
bv.view(azimuth=120, elevation=60, distance=330)
bv.title(f"bv.vector_field: {layer.n_drawn} voxels, direction-encoded colour")
bv.savefig("plot_vector_field.png")
