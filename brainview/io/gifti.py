"""GIfTI files, read only after every byte of their XML has been vetted.

nibabel inflates GIfTI payloads and follows external file names without
bounds; :func:`read_gifti` streams the XML through expat first and refuses
entity declarations, arrays over the memory budget, XML longer than its
arrays declare, payloads inflating past their size and external data
outside the GIfTI file's folder.

Examples
--------
>>> import tempfile, numpy as np, nibabel as nib
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "x.func.gii"
>>> nib.save(nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(np.ones(3, np.float32))]), path)
>>> read_gifti(path).agg_data().shape
(3,)
"""

from __future__ import annotations

import base64
import gzip
import math
import zlib

import numpy as np

from ..errors import BrainviewError, ImageLoadError
from ..limits import check_allocation, format_bytes
from .guards import CHUNK, check_external_file, check_regular_file

__all__ = ["read_gifti"]

def read_gifti(path, name="file"):
    """A nibabel GIfTI image, read only after every byte of its XML has been vetted.

    Refused: entity declarations, external data in a compressed file, more
    data than the file holds; ``name`` is the parameter named in errors.

    Examples
    --------
    >>> import tempfile, numpy as np, nibabel as nib
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.func.gii"
    >>> array = nib.gifti.GiftiDataArray(np.arange(4, dtype=np.float32))
    >>> nib.save(nib.gifti.GiftiImage(darrays=[array]), path)
    >>> read_gifti(path).agg_data().tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    import nibabel as nib

    check_regular_file(path, name)
    compressed = path.name.lower().endswith(".gz")
    scan = _GiftiScan(path, name, external_allowed=not compressed)
    try:
        if compressed:
            with gzip.open(path, "rb") as stream:  # checks CRC and length at the end
                xml = scan.read(stream)
            return nib.gifti.GiftiImage.from_bytes(xml)
        with open(path, "rb") as stream:
            scan.read(stream, keep=False)
        return nib.load(str(path))
    except BrainviewError:
        raise
    except (OSError, EOFError, zlib.error) as error:
        raise ImageLoadError(
            f"{name}: '{path}': the file is corrupt or truncated ({type(error).__name__}: {error})."
        ) from error


#: XML outside the data arrays' own text (tags, metadata, label tables) a GIfTI file may hold.
_GIFTI_OTHER_BYTES = 64 * 2**20


class _GiftiScan:
    """Streams a GIfTI document through expat before nibabel decodes it.

    nibabel inflates payloads and follows external file names unbounded; this
    pass sees each ``DataArray``'s declared size first, so it refuses
    (a) entity declarations ("billion laughs"), (b) arrays over the memory
    budget, (c) XML longer than its declared arrays could need (a
    decompression bomb stops within a chunk of that), (d) gzip payloads
    inflating past their declared size, and (e) external data files outside
    the path policy (:func:`check_external_file`).
    """

    def __init__(self, path, name, *, external_allowed):
        from xml.parsers import expat

        self.path, self.name, self.external_allowed = path, name, external_allowed
        self.what = f"{name}: '{path}'"
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.allowance = _GIFTI_OTHER_BYTES
        self.declared = 0
        self.size = 0
        self.array = None  # (index, encoding, declared bytes) of the open DataArray
        self.n_arrays = 0
        self.payload = None  # text of a GZipBase64Binary Data element, while open

    def read(self, stream, *, keep=True):
        """Feed the stream through the scan; the bytes, when ``keep``."""
        from xml.parsers import expat

        chunks = []
        try:
            while chunk := stream.read(CHUNK):
                self.size += len(chunk)
                self.parser.Parse(chunk, False)
                if self.size > self.allowance:
                    raise ImageLoadError(
                        f"{self.what}: the XML runs past {format_bytes(self.allowance)}, more than "
                        f"its {self.n_arrays} data arrays declare ({format_bytes(self.declared)}); "
                        "the file is corrupt (or a decompression bomb) and is not read further."
                    )
                if keep:
                    chunks.append(chunk)
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise ImageLoadError(f"{self.what}: not valid GIfTI XML ({error}).") from error
        return b"".join(chunks)

    def _refuse_entity(self, entity, *args):
        raise ImageLoadError(
            f"{self.what}: the XML declares the entity {entity!r}; GIfTI files have none, and "
            "entities can expand without bound, so brainview does not read it."
        )

    def _start(self, tag, attrs):
        if tag == "DataArray":
            self._start_array(attrs)
        elif tag == "Data" and self.array and self.array[1] == "GZipBase64Binary":
            self.payload = []

    def _start_array(self, attrs):
        from nibabel.nifti1 import data_type_codes

        index = self.n_arrays
        self.n_arrays += 1
        where = f"{self.what}: DataArray {index}"
        try:
            n_dims = int(attrs.get("Dimensionality", 0))
            dims = [int(attrs[f"Dim{i}"]) for i in range(min(n_dims, 8)) if f"Dim{i}" in attrs]
            itemsize = np.dtype(data_type_codes.dtype[attrs["DataType"]]).itemsize
        except (KeyError, ValueError, TypeError) as error:
            raise ImageLoadError(
                f"{where}: bad Dimensionality, Dim or DataType attribute ({error!r})."
            ) from error
        if not 0 <= n_dims <= 8 or any(d < 0 for d in dims):
            raise ImageLoadError(f"{where}: bad dimensions {n_dims}, {dims}.")
        declared = math.prod(dims) * itemsize
        self.declared += declared
        # The decoded bytes and nibabel's array of them.
        check_allocation(2 * self.declared, f"{where}: its data")
        encoding = attrs.get("Encoding", "ASCII")
        self.allowance += _gifti_text_bound(encoding, declared, math.prod(dims))
        if encoding == "ExternalFileBinary":
            if not self.external_allowed:
                raise ImageLoadError(
                    f"{where}: external data ({attrs.get('ExternalFileName')!r}) is read only "
                    "for an uncompressed .gii next to its data file."
                )
            check_external_file(self.path, attrs.get("ExternalFileName", ""),
                                 attrs.get("ExternalFileOffset", ""), declared, self.name)
        self.array = (index, encoding, declared)

    def _text(self, text):
        if self.payload is not None:
            self.payload.append(text)

    def _end(self, tag):
        if tag == "Data" and self.payload is not None:
            self._check_payload("".join(self.payload))
            self.payload = None
        elif tag == "DataArray":
            self.array = None

    def _check_payload(self, text):
        """Inflate a gzip payload no further than one byte past its declared size."""
        index, _, declared = self.array
        try:
            inflated = zlib.decompressobj().decompress(base64.b64decode(text.encode("ascii")),
                                                       declared + 1)
        except (ValueError, zlib.error) as error:  # binascii.Error is a ValueError
            raise ImageLoadError(
                f"{self.what}: DataArray {index}: its compressed data is corrupt ({error})."
            ) from error
        if len(inflated) > declared:
            raise ImageLoadError(
                f"{self.what}: DataArray {index}: its compressed data inflates past the "
                f"{declared} bytes its dimensions declare; the file is corrupt (or a "
                "decompression bomb) and is not read further."
            )


def _gifti_text_bound(encoding, declared, count):
    """Most XML bytes a data array of ``declared`` bytes (``count`` values) can take."""
    slack = 4096  # the element's tags, attributes and line breaks
    if encoding == "ASCII":
        return 48 * count + slack  # "-1.2345678901234567e-123 " and generous spacing
    if encoding in ("Base64Binary", "GZipBase64Binary"):
        # base64 (4/3) of the data, or of its deflate stream (never much longer), plus line breaks.
        return 3 * declared // 2 + 4 * (declared // 1000) + slack
    return slack
