"""save / load: checkpoints as safetensors files, which PyTorch reads too.

What is in a checkpoint file
----------------------------
A checkpoint is a `safetensors <https://huggingface.co/docs/safetensors>`_ file: an
8-byte header length, a JSON header naming every array with its dtype, shape and
byte range, then the raw bytes.  No compression, no code: reading one can run
nothing, and its header says how much memory every array takes before any byte
of data is read.

* One array entry per Tensor or array, named after where it sits in the saved
  object (``model.fc1.weight``, ``optimizer.state.0.exp_avg``, ...).  A plain state
  dict saved here has exactly its keys as names, so PyTorch's
  ``model.load_state_dict(safetensors.torch.load_file(path))`` reads it.
* The header's metadata holds, under ``"autograd"``, a JSON description of the
  whole saved object (its non-array values: step, config, RNG state, optimizer
  scalars).  Every value in it carries a type tag, so that what comes back is
  exactly what went in: int keys stay ints, tuples stay tuples, a Tensor comes
  back as a Tensor and an array as an array of the same dtype and shape.

For example, ``save({"step": 3, "w": w}, path)`` writes the array ``w`` and::

    {"format": "autograd.checkpoint", "version": 2,
     "root": {"type": "dict", "items": [
         ["step", {"type": "int", "value": 3}],
         ["w", {"type": "tensor", "array": "w", "dtype": "<f4", "shape": [2, 3], "device": "cpu"}]]}}

A safetensors file without that metadata (one written by
``safetensors.torch.save_file``) loads as a dict of Tensors by name.  Checkpoints
of the earlier ``.npz`` format still load, through a reader that checks every
entry's declared size against the file first (``legacy_npz.py``).

Safety
------
``save`` writes a temporary file beside the target, fsyncs it, then renames it over
the target (atomic on POSIX and Windows): a crash mid-save leaves the previous
checkpoint untouched.  The temporary file's name carries the writer's process id,
and the next save into the same folder removes those of processes that are gone
(what ``kill -9`` during a save leaves behind).

``load`` checks the whole file before it reads any array: the header (by the
safetensors library), then the description against its schema (known tags, the
fields each tag needs, nesting depth, count and sizes), then that every array the
description names exists with the dtype and shape it says.  Any problem raises
``CheckpointError`` naming the path; nothing is half-loaded.
"""
from __future__ import annotations

import json
import math
import os
import re
import uuid
from collections import OrderedDict
from typing import Any, Optional, Sequence, Union

import numpy

from . import backend
from .tensor import Tensor
from .typing_aliases import DeviceLike

PathLike = Union[str, os.PathLike]

FORMAT_NAME = "autograd.checkpoint"
FORMAT_VERSION = 2                   # 1 was the .npz format; load refuses newer
METADATA_KEY = "autograd"            # the safetensors metadata entry holding the description
STORABLE_DTYPE_KINDS = "biufc"       # bool, int, uint, float, complex: no objects, no strings
MAX_DEPTH = 64                       # nesting of lists / dicts in a description
MAX_NODES = 1_000_000                # values in a description
MAX_TEXT = 1 << 20                   # characters in one string value or key
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")


class CheckpointError(ValueError):
    """A file that cannot be loaded as a checkpoint: damaged, foreign, hostile or too new."""


def format_key_path(path: Sequence[Any]) -> str:
    """['model', 'fc.weight', 0] -> "['model']['fc.weight'][0]", as one would index it."""
    return "".join(f"[{key!r}]" for key in path) if path else "the top level"


# ============================================================================
# save
# ============================================================================
def save(obj: Any, path: PathLike) -> None:
    """Write ``obj`` (nested dicts / lists / tuples of Tensors, arrays and plain values) to ``path``.

    The file is written exactly at ``path`` (no suffix is added); an existing file
    there is replaced only once the new one is completely on disk.
    """
    encoder = _Encoder()
    root = encoder.encode(obj, [])
    description = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "root": root}
    metadata = {METADATA_KEY: json.dumps(description, allow_nan=False)}
    if hasattr(path, "write"):                    # a file object (io.BytesIO, an open file)
        import safetensors.numpy
        path.write(safetensors.numpy.save(encoder.arrays, metadata=metadata))
        return
    _write_atomically(os.fspath(path), encoder.arrays, metadata)


class _Encoder:
    """Turns a saved object into a JSON-able tree of tagged nodes plus a dict of named arrays."""

    def __init__(self):
        self.arrays = {}            # npz entry name -> numpy array
        self.entry_of_object = {}   # id(Tensor or array) -> entry name, so shared ones are stored once
        self.open_containers = set()  # ids of the dicts / lists being encoded, to catch cycles

    def encode(self, obj, path):
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, str):                      # also numpy.str_
            return {"type": "str", "value": str(obj)}
        if isinstance(obj, Tensor):
            return self.encode_array("tensor", obj, obj.array, path)
        if isinstance(obj, numpy.generic):            # before float: numpy.float64 is a float
            return self.encode_array("numpy_scalar", obj, numpy.asarray(obj), path)
        if isinstance(obj, numpy.ndarray) or backend.is_cupy_array(obj):
            return self.encode_array("ndarray", obj, obj, path)
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": _float_to_json(obj)}
        if isinstance(obj, (dict, list, tuple)):
            return self.encode_container(obj, path)
        raise TypeError(f"save: cannot store object of type {type(obj).__name__} "
                        f"at {format_key_path(path)}")

    def encode_container(self, obj, path):
        if id(obj) in self.open_containers:
            raise ValueError(f"save: the object contains itself at {format_key_path(path)}")
        self.open_containers.add(id(obj))
        try:
            if isinstance(obj, dict):
                return self.encode_dict(obj, path)
            items = [self.encode(item, path + [index]) for index, item in enumerate(obj)]
            return {"type": "tuple" if isinstance(obj, tuple) else "list", "items": items}
        finally:
            self.open_containers.discard(id(obj))

    def encode_dict(self, obj, path):
        items = []
        for key, value in obj.items():
            if isinstance(key, numpy.integer):
                key = int(key)
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: dict keys must be str or int, got a key of type "
                                f"{type(key).__name__} ({key!r}) at {format_key_path(path)}")
            items.append([str(key) if isinstance(key, str) else key,
                          self.encode(value, path + [key])])
        return {"type": "OrderedDict" if isinstance(obj, OrderedDict) else "dict", "items": items}

    def encode_array(self, node_type, owner, array, path):
        """A Tensor, array or numpy scalar: the data goes to an array entry, a reference to the JSON."""
        if array.dtype.kind not in STORABLE_DTYPE_KINDS:
            raise TypeError(f"save: cannot store {type(owner).__name__} of dtype {array.dtype} "
                            f"at {format_key_path(path)} (only bool, integer, float and complex "
                            f"data can be saved)")
        entry = self.entry_of_object.get(id(owner))
        if entry is None:
            entry = self.new_entry_name(path)
            self.arrays[entry] = _stored_form(backend.to_numpy(array))
            self.entry_of_object[id(owner)] = entry
        node = {"type": node_type, "array": entry, "dtype": array.dtype.str,
                "shape": list(array.shape)}
        if node_type != "numpy_scalar":
            node["device"] = backend.device_of(array)
        return node

    def new_entry_name(self, path):
        """A readable, unique entry name from the key path: 'model.fc1.weight'."""
        base = ".".join(str(key) for key in path) or "root"
        base = re.sub(r"[^A-Za-z0-9_.\-]", "_", base)
        name, count = base, 1
        while name in self.arrays:
            count += 1
            name = f"{base}~{count}"     # '~' never survives the re.sub, so no clash
        return name



def _float_to_json(value):
    """JSON has no inf / nan: those become the strings 'inf', '-inf', 'nan'."""
    return float(value) if math.isfinite(value) else repr(float(value))


def _stored_form(array):
    """The array as safetensors holds it: contiguous and little-endian; a complex128
    array (which safetensors has no dtype for) as float64 pairs in a trailing dim."""
    array = array.astype(array.dtype.newbyteorder("<"), order="C", copy=False)   # 0-d stays 0-d
    if array.dtype == numpy.complex128:
        return array.reshape(array.shape + (1,)).view(numpy.float64)   # shape + (2,)
    return array


def _storage_of(dtype, shape):
    """The dtype and shape ``_stored_form`` gives an array of this dtype and shape."""
    dtype = numpy.dtype(dtype).newbyteorder("<")
    if dtype == numpy.complex128:
        return numpy.dtype("<f8"), tuple(shape) + (2,)
    return dtype, tuple(shape)


def _restored(stored, dtype, shape):
    """The saved array back from its stored form."""
    dtype = numpy.dtype(dtype)
    if dtype.newbyteorder("<") == numpy.complex128:
        stored = numpy.ascontiguousarray(stored).view(numpy.complex128).reshape(shape)
    return stored.astype(dtype, copy=False)


def _write_atomically(path, arrays, metadata):
    """Write the file beside ``path`` under a temporary name, fsync it, rename it over ``path``."""
    import safetensors.numpy

    target = os.path.realpath(path)               # through a symlink, like open(path, 'wb')
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: cannot write {path!r}: directory {directory!r} does not exist")
    if os.path.isdir(target):
        raise IsADirectoryError(f"save: cannot write {path!r}: it is a directory")
    _remove_stale_temporaries(directory)
    temp_path = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}."
                                        f"{uuid.uuid4().hex[:8]}.tmp")
    try:
        safetensors.numpy.save_file(arrays, temp_path, metadata=metadata)
        _fsync_file(temp_path)
        os.replace(temp_path, target)
    except BaseException:                         # KeyboardInterrupt too: never leave the temp file
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
    _fsync_directory(directory)


def _remove_stale_temporaries(directory):
    """Temporary files of saves whose process is gone: a save killed by ``kill -9``
    leaves one as large as a checkpoint, and nothing else would remove it."""
    if os.name != "posix":
        return
    for name in os.listdir(directory):
        match = _TEMPORARY.match(name)
        if match and not _process_exists(int(match.group(1))):
            try:
                os.remove(os.path.join(directory, name))
            except OSError:
                pass   # removed by someone else meanwhile, or not ours to remove


def _process_exists(pid):
    try:
        os.kill(pid, 0)                           # signal 0: only asks whether it exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True                               # it exists, as another user's process
    return True


def _fsync_file(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# ============================================================================
# load
# ============================================================================
def load(path: PathLike, map_location: Optional[DeviceLike] = None, *,
         weights_only: Optional[bool] = None, **pickle_options: Any) -> Any:
    """Read a checkpoint written by ``save`` (or a safetensors file written by PyTorch).

    Tensors come back as Tensors (``requires_grad=False``), arrays as arrays, each on
    the device it was saved from, or on ``map_location`` ('cpu' or 'cuda') if given.
    ``weights_only`` is accepted for PyTorch code: these files never hold code, so
    loading is always as safe as PyTorch's weights_only=True.  A ``map_location``
    that is a function or a dict (PyTorch's remapping forms) leaves tensors where
    they were saved.
    """
    remaps = callable(map_location) or isinstance(map_location, dict)
    device = None if map_location is None or remaps else backend.normalize_device(map_location)
    if hasattr(path, "read"):                     # a file object: through a temporary file
        import tempfile
        with tempfile.NamedTemporaryFile(suffix=".ckpt") as copy:
            copy.write(path.read())
            copy.flush()
            return load(copy.name, map_location)
    path = os.fspath(path)
    with _open_archive(path) as (root, archive):
        check_description(root, archive, path)
        return _Decoder(archive, path, device).decode(root, [])


def _open_archive(path):
    """The description and the arrays of the checkpoint at ``path``, whichever format."""
    _check_regular_file(path)
    with open(path, "rb") as file:
        signature = file.read(4)
    if signature.startswith(ZIP_SIGNATURES):
        from .legacy_npz import open_archive
        return open_archive(path)
    return _SafetensorsArchive.open(path)


def _check_regular_file(path):
    """A missing path raises FileNotFoundError; anything but a regular file (a folder, a
    FIFO, a device) is refused before it is opened, since reading a FIFO would block."""
    import stat
    mode = os.stat(path).st_mode                  # FileNotFoundError / PermissionError as they are
    if stat.S_ISDIR(mode):
        raise CheckpointError(f"load: {path!r} is a directory, not a checkpoint file")
    if not stat.S_ISREG(mode):
        raise CheckpointError(f"load: {path!r} is not a regular file (a FIFO, a socket or a "
                              "device), so it is not a checkpoint")


# safetensors' names of the dtypes NumPy has
_SAFETENSORS_DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2",
                       "F16": "<f2", "U32": "<u4", "I32": "<i4", "F32": "<f4", "U64": "<u8",
                       "I64": "<i8", "F64": "<f8", "C64": "<c8"}


class _SafetensorsArchive:
    """The arrays of an open safetensors file: what each is declared to be, and reading it."""

    def __init__(self, handle, path):
        self.handle, self.path = handle, path
        self.names = set(handle.keys())

    @classmethod
    def open(cls, path):
        import contextlib

        from safetensors import SafetensorError, safe_open

        @contextlib.contextmanager
        def opened():
            try:
                handle = safe_open(path, framework="numpy")
            except (SafetensorError, OSError) as err:
                raise CheckpointError(f"load: {path!r} is not a checkpoint (not a safetensors file, "
                                      f"or truncated or corrupted: {err})") from err
            with handle:
                archive = cls(handle, path)
                yield _description(handle.metadata() or {}, archive, path), archive
        return opened()

    def describe(self, name):
        """(numpy dtype, shape) of entry ``name`` from the header, or None if it is absent."""
        if name not in self.names:
            return None
        entry = self.handle.get_slice(name)
        kind = entry.get_dtype()
        if kind not in _SAFETENSORS_DTYPES:
            raise CheckpointError(f"load: {self.path!r}: array {name!r} has dtype {kind}, which "
                                  "NumPy does not have; convert it to float32 before saving")
        return numpy.dtype(_SAFETENSORS_DTYPES[kind]), tuple(entry.get_shape())

    def read(self, name):
        return numpy.array(self.handle.get_tensor(name), copy=True)   # writable, ours


def _description(metadata, archive, path):
    """The saved object's description; for a plain safetensors file (PyTorch's), one
    describing a dict of its tensors by name."""
    if METADATA_KEY not in metadata:
        return {"type": "dict", "items": [[name, _tensor_node(name, archive)]
                                          for name in sorted(archive.names)]}
    try:
        description = json.loads(metadata[METADATA_KEY])
    except (ValueError, RecursionError) as err:
        raise CheckpointError(f"load: {path!r}: the checkpoint's description is not valid JSON "
                              f"({type(err).__name__}: {str(err)[:200]})") from None
    return root_of(description, path)


def _tensor_node(name, archive):
    dtype, shape = archive.describe(name)
    return {"type": "tensor", "array": name, "dtype": dtype.str, "shape": list(shape), "device": "cpu"}


def root_of(description, path):
    """The tree inside a description, after checking its format name and version."""
    if not isinstance(description, dict) or description.get("format") != FORMAT_NAME:
        raise CheckpointError(f"load: {path!r} is not an autograd checkpoint "
                              f"(its description does not say format {FORMAT_NAME!r})")
    version = description.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CheckpointError(f"load: {path!r} has an invalid format version {version!r:.40}")
    if version > FORMAT_VERSION:
        raise CheckpointError(f"load: {path!r} was written by a newer autograd (format version "
                              f"{version}); this one reads versions up to {FORMAT_VERSION}")
    if "root" not in description:
        raise CheckpointError(f"load: {path!r}: the checkpoint's description has no 'root' entry")
    return description["root"]


# ----------------------------------------------------------------------------
# The description's schema, checked whole before anything is read or built
# ----------------------------------------------------------------------------
_PLAIN_FIELDS = {"bool": bool, "int": int, "str": str}
_ARRAY_NODES = ("tensor", "ndarray", "numpy_scalar")


def check_description(root, archive, path):
    """Walk the description (iteratively: its depth is what is being checked) and raise
    CheckpointError at the first node that is not what ``save`` writes, or that names an
    array the file does not hold as described."""
    stack, count = [(root, [])], 0
    while stack:
        node, where = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _malformed(path, f"more than {MAX_NODES} values", where)
        if len(where) > MAX_DEPTH:
            raise _malformed(path, f"nesting deeper than {MAX_DEPTH}", where)
        node_type = node.get("type") if isinstance(node, dict) else None
        if not isinstance(node_type, str):
            raise _malformed(path, f"a value with no type tag ({str(node)[:60]})", where)
        if node_type in ("list", "tuple"):
            items = _field(node, "items", list, path, where)
            stack.extend((item, where + [index]) for index, item in enumerate(items))
        elif node_type in ("dict", "OrderedDict"):
            for item in _field(node, "items", list, path, where):
                if (not isinstance(item, list) or len(item) != 2 or isinstance(item[0], bool)
                        or not isinstance(item[0], (str, int)) or _too_long(item[0])):
                    raise _malformed(path, f"a dict item is malformed ({str(item)[:80]})", where)
                stack.append((item[1], where + [item[0]]))
        elif node_type in _ARRAY_NODES:
            _check_array_node(node, node_type, archive, path, where)
        elif node_type in _PLAIN_FIELDS:
            if _too_long(_field(node, "value", _PLAIN_FIELDS[node_type], path, where)):
                raise _malformed(path, f"a value longer than {MAX_TEXT} characters", where)
        elif node_type == "float":
            value = node.get("value")
            if not (isinstance(value, (int, float)) and not isinstance(value, bool)) \
                    and value not in ("inf", "-inf", "nan"):
                raise _malformed(path, f"a float entry has a bad value {str(value)[:40]!r}", where)
        elif node_type != "none":
            raise _malformed(path, f"unknown entry type {str(node_type)[:40]!r}", where)


def _too_long(value):
    return isinstance(value, str) and len(value) > MAX_TEXT or (
        isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 4096)


def _field(node, name, expected_type, path, where):
    """node[name], checked to be an ``expected_type`` (JSON true is not an int here)."""
    value = node.get(name)
    if (isinstance(value, bool) and expected_type is not bool) or not isinstance(value, expected_type):
        raise _malformed(path, f"a {node.get('type')} entry has a bad {name!r} field "
                               f"({str(value)[:80]})", where)
    return value


def _check_array_node(node, node_type, archive, path, where):
    entry = _field(node, "array", str, path, where)
    shape = _field(node, "shape", list, path, where)
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in shape) or len(shape) > 64:
        raise _malformed(path, f"array {entry!r} has a bad shape {str(shape)[:80]}", where)
    try:
        dtype = numpy.dtype(_field(node, "dtype", str, path, where))
    except TypeError:
        raise _malformed(path, f"array {entry!r} has an unknown dtype {node['dtype'][:20]!r}", where) from None
    if dtype.kind not in STORABLE_DTYPE_KINDS:
        raise _malformed(path, f"array {entry!r} has dtype {dtype}, which is never saved", where)
    if node_type != "numpy_scalar" and node.get("device") not in ("cpu", "cuda"):
        raise _malformed(path, f"array {entry!r} has a bad device {str(node.get('device'))[:20]!r}", where)
    declared = archive.describe(entry)
    if declared is None:
        raise CheckpointError(f"load: {path!r}: the description refers to array {entry!r} at "
                              f"{format_key_path(where)}, which is not in the file (the file is "
                              "corrupted or was edited)")
    if declared != _storage_of(dtype, shape):
        stored_dtype, stored_shape = declared
        raise _malformed(path, f"array {entry!r} is stored with dtype {stored_dtype} and shape "
                               f"{stored_shape}, but the description says {dtype} and {tuple(shape)}",
                         where)


def _malformed(path, problem, where):
    return CheckpointError(f"load: {path!r}: {problem} at {format_key_path(where)} "
                           "(the file is corrupted or was not written by autograd.save)")


class _Decoder:
    """Builds the saved object from a description that ``check_description`` has passed
    (so its recursion is at most MAX_DEPTH deep) and the file's arrays."""

    def __init__(self, archive, path, device):
        self.archive = archive
        self.path = path
        self.device = device        # map_location: 'cpu', 'cuda' or None (where it was saved)
        self.loaded = {}            # (node type, entry name) -> object, so shared ones stay shared

    def decode(self, node, where):
        node_type = node["type"]
        if node_type == "none":
            return None
        if node_type == "float":
            return float(node["value"])
        if node_type in _PLAIN_FIELDS:
            return node["value"]
        if node_type in ("list", "tuple"):
            values = [self.decode(item, where + [index]) for index, item in enumerate(node["items"])]
            return values if node_type == "list" else tuple(values)
        if node_type in ("dict", "OrderedDict"):
            result = OrderedDict() if node_type == "OrderedDict" else {}
            for key, value in node["items"]:
                result[key] = self.decode(value, where + [key])
            return result
        return self.decode_array(node, node_type, where)

    def decode_array(self, node, node_type, where):
        entry = node["array"]
        if (node_type, entry) not in self.loaded:
            array = _restored(self.archive.read(entry), node["dtype"], node["shape"])
            if node_type == "numpy_scalar":
                self.loaded[node_type, entry] = array[()]
            else:
                array = self.move_to_device(array, node["device"])
                self.loaded[node_type, entry] = Tensor(array) if node_type == "tensor" else array
        return self.loaded[node_type, entry]

    def move_to_device(self, array, saved_on):
        try:
            return backend.to_device(array, self.device or saved_on)
        except RuntimeError as err:
            if self.device is not None:
                raise
            raise RuntimeError(f"load: {self.path!r} holds data saved on the GPU, and {err}. "
                               f"Pass map_location='cpu' to load it on the CPU.") from err
