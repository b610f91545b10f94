"""The cost of brainview's file guard, and how fast it refuses bombs.

- ``load_1mm_template_guarded``: ``load_image`` on the 1 mm MNI template
  (``.nii.gz``: inflated once in chunks, bounded by its header, CRC and
  length checked). Naive: ``nibabel.load`` + ``np.asanyarray(img.dataobj)``,
  no checks. Target: at most 5% slower than the naive way in the same run.
- ``refuse_*``: time from the call to the brainview error, under the default
  budget (half of the available memory), for bombs built here. Target: 2 s,
  whatever size they claim.

  - ``refuse_nii_gz_header_16gib``: a header declaring 16 GiB of float32.
  - ``refuse_nii_gz_long_stream``: a 1000-voxel header over 1 GiB of zeros.
  - ``refuse_gii_gz_xml_bomb``: 3 declared values in 1 GiB of XML.
  - ``refuse_gii_payload_bomb``: a gzip+base64 payload of 1 GiB declared as 40 bytes.
"""

import base64
import gzip
import statistics
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

TEMPLATE = "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
GIB = 2**30


def _median_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _interleaved_medians(first, second, repeat):
    """Medians of two functions run alternately, so machine load falls on both alike."""
    times = ([], [])
    for _ in range(repeat):
        for function, record in zip((first, second), times):
            start = time.perf_counter()
            function()
            record.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def _refusal_time(function, repeat):
    from brainview.errors import BrainviewError

    def refused():
        try:
            function()
        except BrainviewError:
            return
        raise AssertionError("the bomb was not refused")

    return _median_time(refused, repeat)


def _zeros_gzip(prefix, n_bytes):
    """A gzip member of ``prefix`` then ``n_bytes`` zeros, compressed in 64 MiB steps."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(prefix)]
    block = bytes(64 * 2**20)
    for _ in range(n_bytes // len(block)):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    return b"".join(parts)


def _nifti_header(shape, dtype):
    import nibabel as nib

    header = nib.Nifti1Header()
    header.set_data_shape(shape)
    header.set_data_dtype(dtype)
    return header.binaryblock + b"\0" * 4


def _gifti(data_attrs, data):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><GIFTI Version="1.0" NumberOfDataArrays="1">'
        f'<DataArray Intent="NIFTI_INTENT_SHAPE" DataType="NIFTI_TYPE_FLOAT32" '
        f'ArrayIndexingOrder="RowMajorOrder" Dimensionality="1" Dim0="10" {data_attrs} '
        f'Endian="LittleEndian" ExternalFileName="" ExternalFileOffset="">'
    ).encode() + b"<Data>" + data


def _bombs(folder):
    folder = Path(folder)
    header_bomb = folder / "header.nii.gz"
    header_bomb.write_bytes(gzip.compress(_nifti_header((2048, 2048, 1024), np.float32)))
    long_stream = folder / "long.nii.gz"
    long_stream.write_bytes(_zeros_gzip(_nifti_header((10, 10, 10), np.uint8) + bytes(1000), GIB))
    xml_bomb = folder / "xml.gii.gz"
    # Spaces compress like zeros; the document never closes, as a bomb need not.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(_gifti('Encoding="ASCII"', b"1 2 3"))]
    block = b" " * (64 * 2**20)
    parts += [compressor.compress(block) for _ in range(GIB // len(block))]
    xml_bomb.write_bytes(b"".join(parts) + compressor.flush())
    payload = folder / "payload.gii"
    compressed = zlib.compress(bytes(GIB), 9)
    payload.write_bytes(_gifti('Encoding="GZipBase64Binary"', base64.b64encode(compressed))
                        + b"</Data></DataArray></GIFTI>")
    return {"refuse_nii_gz_header_16gib": ("image", header_bomb),
            "refuse_nii_gz_long_stream": ("image", long_stream),
            "refuse_gii_gz_xml_bomb": ("surface_data", xml_bomb),
            "refuse_gii_payload_bomb": ("surface_data", payload)}


def run(repeat=5):
    import nibabel as nib

    from brainview.datasets import nilearn_data_dir
    from brainview.io import load_image, load_surface_data, vtk_ready

    path = nilearn_data_dir() / TEMPLATE
    load_image(path)  # warm the page cache and imports
    ours, naive = _interleaved_medians(
        lambda: load_image(path), lambda: vtk_ready(np.asanyarray(nib.load(str(path)).dataobj)),
        repeat * 4)
    rows = [{"name": "load_1mm_template_guarded", "median_s": ours, "target_s": naive * 1.05,
             "naive": "nib.load + dataobj, unchecked", "naive_median_s": naive,
             "note": f"guard cost {100 * (ours / naive - 1):+.1f}% (target under +5%)"}]
    loaders = {"image": load_image, "surface_data": load_surface_data}
    with tempfile.TemporaryDirectory() as folder:
        for name, (kind, bomb) in _bombs(folder).items():
            seconds = _refusal_time(lambda: loaders[kind](bomb), repeat)
            rows.append({"name": name, "median_s": seconds, "target_s": 2.0, "naive": None,
                         "note": f"{bomb.stat().st_size / 2**20:.1f} MiB on disk"})
    return rows
