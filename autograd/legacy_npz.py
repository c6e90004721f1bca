"""Reading checkpoints of the earlier format: ``.npz`` archives (zip files of ``.npy``
arrays, one of them the JSON description).  ``autograd.save`` now writes safetensors;
this keeps old checkpoints loadable.

A zip can declare an entry a thousand times larger than its compressed bytes (a
"zip bomb"), and a ``.npy`` header can declare any shape.  So before any array is
read, every entry is checked against the file: it must be stored uncompressed (as
this library always wrote them), its size must fit in the file, and its ``.npy``
header must describe exactly the bytes that follow it, in a dtype without Python
objects.  Reading then takes no more memory than the file's size.
"""
import contextlib
import json
import os
import zipfile

import numpy

from .serialization import CheckpointError, _storage_of, _stored_form, root_of

METADATA_ENTRY = "__autograd_checkpoint__"


@contextlib.contextmanager
def open_archive(path):
    """(the description's root, the archive of arrays) of the .npz checkpoint at ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            arrays = _NpzArchive(archive, path)
            yield root_of(arrays.description(), path), arrays
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as err:
        if isinstance(err, CheckpointError):
            raise
        raise CheckpointError(f"load: {path!r} is a damaged .npz checkpoint "
                              f"({type(err).__name__}: {err})") from err


class _NpzArchive:
    def __init__(self, archive, path):
        self.archive, self.path = archive, path
        self.headers = {}                      # entry name -> (dtype, shape, fortran order)
        file_size = os.path.getsize(path)
        if any(name == "data.pkl" or name.endswith("/data.pkl") for name in archive.namelist()):
            raise CheckpointError(f"load: {path!r} is a PyTorch torch.save file (a pickle, which this "
                                  "library never unpickles); save the state dict in PyTorch with "
                                  "safetensors.torch.save_file(model.state_dict(), path) instead")
        declared = 0
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise self.refuse(f"entry {info.filename!r} is not a .npy array")
            if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
                raise self.refuse(f"entry {info.filename!r} is compressed, which this library "
                                  "never wrote (a compressed entry can expand past any bound)")
            declared += info.file_size
            self.headers[info.filename[:-4]] = self._read_header(info)
        if declared > file_size:
            raise self.refuse(f"its entries declare {declared} bytes in a file of {file_size}")
        if METADATA_ENTRY not in self.headers:
            raise self.refuse(f"it has no {METADATA_ENTRY!r} entry, so it is not an autograd checkpoint")

    def refuse(self, problem):
        return CheckpointError(f"load: {self.path!r} (.npz): {problem}")

    def _read_header(self, info):
        """The entry's .npy header, checked to describe exactly the bytes after it."""
        readers = {(1, 0): numpy.lib.format.read_array_header_1_0,
                   (2, 0): numpy.lib.format.read_array_header_2_0}
        with self.archive.open(info) as stream:
            version = numpy.lib.format.read_magic(stream)
            if version not in readers:
                raise self.refuse(f"entry {info.filename!r} has .npy version {version}, which "
                                  "this library never wrote")
            shape, fortran, dtype = readers[version](stream)
            header_bytes = stream.tell()
        if dtype.hasobject:
            raise self.refuse(f"entry {info.filename!r} holds Python objects, which would have to "
                              "be unpickled; refused")
        size = int(numpy.prod(shape, dtype=object)) * dtype.itemsize
        if header_bytes + size != info.file_size:
            raise self.refuse(f"entry {info.filename!r} declares shape {shape} of {dtype} "
                              f"({size} bytes) in {info.file_size - header_bytes} bytes")
        return dtype, tuple(shape), fortran

    def description(self):
        array = self.read(METADATA_ENTRY)
        if array.dtype.kind != "U" or array.ndim != 0:
            raise self.refuse(f"the {METADATA_ENTRY!r} entry is not a JSON string")
        try:
            return json.loads(str(array[()]))
        except (ValueError, RecursionError) as err:
            raise self.refuse(f"the checkpoint's description is not valid JSON ({err})") from None

    def describe(self, name):
        """(dtype, shape) as ``serialization`` expects arrays stored (little-endian, complex128
        as float64 pairs), or None if absent."""
        if name == METADATA_ENTRY or name not in self.headers:
            return None
        dtype, shape, _ = self.headers[name]
        return _storage_of(dtype, shape)

    def read(self, name):
        with self.archive.open(name + ".npy") as stream:
            array = numpy.lib.format.read_array(stream, allow_pickle=False)
        return array if name == METADATA_ENTRY else _stored_form(array)
