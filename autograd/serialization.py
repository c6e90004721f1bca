"""save / load: checkpoints as one ``.npz`` file of named arrays plus a JSON description.

What is in a checkpoint file
----------------------------
A checkpoint is an ordinary NumPy ``.npz`` archive (a zip of ``.npy`` files), so
``numpy.load(path, allow_pickle=False)`` can open it with no help from this library:

* one entry per Tensor or array, named after where it sits in the saved object
  (``model.fc1.weight``, ``optimizer.state.0.exp_avg``, ...);
* one entry ``__autograd_checkpoint__``: a 0-d string array holding JSON that
  describes the whole saved object.  Every value in that JSON carries a type tag,
  so that what comes back is exactly what went in: int keys stay ints, tuples stay
  tuples, an OrderedDict stays ordered, a Tensor comes back as a Tensor and an array
  as an array of the same dtype and shape, ``inf`` and ``nan`` survive.

For example, ``save({"step": 3, "w": w}, path)`` writes the array entry ``w`` and::

    {"format": "autograd.checkpoint", "version": 1,
     "root": {"type": "dict", "items": [
         ["step", {"type": "int", "value": 3}],
         ["w", {"type": "tensor", "array": "w", "dtype": "<f4", "shape": [2, 3], "device": "cpu"}]]}}

Nothing is ever pickled, in either direction: loading a file cannot run code.

Safety
------
``save`` writes to a temporary file beside the target, flushes and fsyncs it, then
renames it over the target with ``os.replace`` (atomic on POSIX and Windows).  A crash
or an error mid-save leaves the previous checkpoint untouched and no half-written file.

``load`` checks everything it reads; a truncated or damaged file, a file that is not a
checkpoint, or one written by a newer version raises ``CheckpointError`` naming the path.
"""
import json
import math
import os
import re
import struct
import uuid
import zipfile
import zlib
from collections import OrderedDict

import numpy

from . import backend
from .tensor import Tensor

FORMAT_NAME = "autograd.checkpoint"
FORMAT_VERSION = 1                          # bump when the layout changes; load refuses newer
METADATA_KEY = "__autograd_checkpoint__"    # the npz entry holding the JSON description
STORABLE_DTYPE_KINDS = "biufc"              # bool, int, uint, float, complex: no objects, no strings

# What numpy / zipfile raise on a damaged archive (a cut-off end, flipped bytes, ...).
CORRUPTION_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                     KeyError, IndexError, OverflowError, struct.error, zlib.error,
                     NotImplementedError, RuntimeError)   # RuntimeError: "encrypted" flag bit set


class CheckpointError(ValueError):
    """A file that cannot be loaded as a checkpoint: damaged, foreign, or too new."""


def format_key_path(path):
    """['model', 'fc.weight', 0] -> "['model']['fc.weight'][0]", as one would index it."""
    return "".join(f"[{key!r}]" for key in path) if path else "the top level"


# ============================================================================
# save
# ============================================================================
def save(obj, path):
    """Write ``obj`` (nested dicts / lists / tuples of Tensors, arrays and plain values) to ``path``.

    The file is written exactly at ``path`` (no suffix is added); an existing file
    there is replaced only once the new one is completely on disk.
    """
    encoder = _Encoder()
    root = encoder.encode(obj, [])
    metadata = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "root": root}
    metadata_json = json.dumps(metadata, allow_nan=False)
    _write_atomically(os.fspath(path), metadata_json, encoder.arrays)


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
        """A Tensor, array or numpy scalar: the data goes to the npz, a reference to the JSON."""
        if array.dtype.kind not in STORABLE_DTYPE_KINDS:
            raise TypeError(f"save: cannot store {type(owner).__name__} of dtype {array.dtype} "
                            f"at {format_key_path(path)} (only bool, integer, float and complex "
                            f"data can be saved)")
        entry = self.entry_of_object.get(id(owner))
        if entry is None:
            entry = self.new_entry_name(path)
            self.arrays[entry] = backend.to_numpy(array)
            self.entry_of_object[id(owner)] = entry
        node = {"type": node_type, "array": entry, "dtype": array.dtype.str,
                "shape": list(array.shape)}
        if node_type != "numpy_scalar":
            node["device"] = backend.device_of(array)
        return node

    def new_entry_name(self, path):
        """A readable, unique npz entry name from the key path: 'model.fc1.weight'."""
        base = ".".join(str(key) for key in path) or "root"
        base = re.sub(r"[^A-Za-z0-9_.\-]", "_", base)
        name, count = base, 1
        while name in self.arrays or name == METADATA_KEY:
            count += 1
            name = f"{base}~{count}"     # '~' never survives the re.sub, so no clash
        return name


def _float_to_json(value):
    """JSON has no inf / nan: those become the strings 'inf', '-inf', 'nan'."""
    return float(value) if math.isfinite(value) else repr(float(value))


def _write_atomically(path, metadata_json, arrays):
    """Write the npz to a temp file beside ``path``, fsync it, then rename it over ``path``."""
    target = os.path.realpath(path)               # through a symlink, like open(path, 'wb')
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: cannot write {path!r}: directory {directory!r} does not exist")
    temp_path = os.path.join(directory, f".{os.path.basename(target)}.{uuid.uuid4().hex[:8]}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        with os.fdopen(os.open(temp_path, flags, 0o666), "wb") as file:
            _write_npz(file, metadata_json, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_path, target)
    except BaseException:                         # KeyboardInterrupt too: never leave the temp file
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
    _fsync_directory(directory)


def _write_npz(file, metadata_json, arrays):
    """The zip that ``numpy.savez`` would write (without its keyword-name restrictions)."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        _write_npz_entry(archive, METADATA_KEY, numpy.array(metadata_json))
        for name, array in arrays.items():
            _write_npz_entry(archive, name, array)


def _write_npz_entry(archive, name, array):
    with archive.open(name + ".npy", mode="w", force_zip64=True) as entry:
        numpy.lib.format.write_array(entry, array, allow_pickle=False)


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
def load(path, map_location=None, *, weights_only=None, **pickle_options):
    """Read a checkpoint written by ``save``.

    Tensors come back as Tensors (``requires_grad=False``), arrays as arrays, each on
    the device it was saved from, or on ``map_location`` ('cpu' or 'cuda') if given.
    ``weights_only`` is accepted for PyTorch code: these files never hold code, so
    loading is always as safe as PyTorch's weights_only=True.  A ``map_location``
    that is a function or a dict (PyTorch's remapping forms) leaves tensors where
    they were saved.
    """
    remaps = callable(map_location) or isinstance(map_location, dict)
    device = None if map_location is None or remaps else backend.normalize_device(map_location)
    path = os.fspath(path)
    with open(path, "rb") as file:                # a missing file raises FileNotFoundError here
        _check_zip_signature(file, path)
        arrays = _read_npz_entries(file, path)
    root = _read_metadata(arrays.pop(METADATA_KEY), path)
    return _Decoder(arrays, path, device).decode(root, [])


def _check_zip_signature(file, path):
    signature = file.read(6)
    file.seek(0)
    if signature.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return
    if not signature:
        raise CheckpointError(f"load: {path!r} is empty (truncated or corrupted)")
    if signature.startswith(b"\x93NUMPY"):
        raise CheckpointError(f"load: {path!r} is a single .npy array, not an autograd checkpoint")
    raise CheckpointError(f"load: {path!r} is not an autograd checkpoint (not an .npz/zip file), "
                          f"or it is corrupted")


def _read_npz_entries(file, path):
    """Every array in the archive, by name; damage of any kind becomes a CheckpointError."""
    try:
        with numpy.load(file, allow_pickle=False) as npz:
            if METADATA_KEY not in npz.files:
                shown = ", ".join(repr(name) for name in npz.files[:5])
                raise CheckpointError(f"load: {path!r} is an .npz file but not an autograd checkpoint "
                                      f"(no {METADATA_KEY!r} entry; its entries: {shown or 'none'})")
            entries = {name: npz[name] for name in npz.files}
    except CheckpointError:
        raise
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise CheckpointError(f"load: {path!r} contains an array of Python objects, which would "
                                  f"have to be unpickled; refused (loading uses allow_pickle=False)") from err
        raise _corrupted(path, err) from err
    except CORRUPTION_ERRORS as err:
        raise _corrupted(path, err) from err
    for name, entry in entries.items():
        if not isinstance(entry, numpy.ndarray):      # numpy hands back non-.npy members as bytes
            raise CheckpointError(f"load: {path!r}: entry {name!r} is not a .npy array, so this "
                                  f"is not an autograd checkpoint")
    return entries


def _corrupted(path, err):
    return CheckpointError(f"load: {path!r} is truncated or corrupted ({type(err).__name__}: {err})")


def _read_metadata(metadata_array, path):
    """The JSON description, checked for format name and version."""
    if metadata_array.dtype.kind != "U" or metadata_array.ndim != 0:
        raise CheckpointError(f"load: {path!r}: the {METADATA_KEY!r} entry is not a JSON string")
    try:
        metadata = json.loads(str(metadata_array[()]))
    except ValueError as err:
        raise CheckpointError(f"load: {path!r}: the checkpoint metadata is not valid JSON "
                              f"(truncated or corrupted?): {err}") from err
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise CheckpointError(f"load: {path!r} is not an autograd checkpoint "
                              f"(its metadata does not say format {FORMAT_NAME!r})")
    version = metadata.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CheckpointError(f"load: {path!r} has an invalid format version {version!r}")
    if version > FORMAT_VERSION:
        raise CheckpointError(f"load: {path!r} was written by a newer autograd (format version "
                              f"{version}); this one reads versions up to {FORMAT_VERSION}")
    if "root" not in metadata:
        raise CheckpointError(f"load: {path!r}: the checkpoint metadata has no 'root' entry")
    return metadata["root"]


class _Decoder:
    """Rebuilds the saved object from the JSON tree and the npz arrays, checking as it goes."""

    def __init__(self, arrays, path, device):
        self.arrays = arrays        # npz entry name -> numpy array
        self.path = path
        self.device = device        # map_location: 'cpu', 'cuda' or None (where it was saved)
        self.loaded = {}            # (node type, entry name) -> object, so shared ones stay shared

    def fail(self, problem, where):
        return CheckpointError(f"load: {self.path!r}: {problem} at {format_key_path(where)} "
                               f"(the file is corrupted or was not written by autograd.save)")

    def decode(self, node, where):
        node_type = node.get("type") if isinstance(node, dict) else None
        if node_type == "none":
            return None
        if node_type in ("bool", "int", "float", "str"):
            return self.decode_plain_value(node, node_type, where)
        if node_type in ("list", "tuple"):
            items = self.node_field(node, "items", list, where)
            values = [self.decode(item, where + [index]) for index, item in enumerate(items)]
            return values if node_type == "list" else tuple(values)
        if node_type in ("dict", "OrderedDict"):
            return self.decode_dict(node, node_type, where)
        if node_type in ("tensor", "ndarray", "numpy_scalar"):
            return self.decode_array(node, node_type, where)
        raise self.fail(f"unknown entry type {node_type!r}", where)

    def node_field(self, node, name, expected_type, where):
        """node[name], checked to be an ``expected_type`` (JSON true is not an int here)."""
        value = node.get(name)
        is_wrong_bool = isinstance(value, bool) and expected_type is not bool
        if is_wrong_bool or not isinstance(value, expected_type):
            raise self.fail(f"a {node.get('type')} entry has a bad {name!r} field ({value!r:.80})", where)
        return value

    def decode_plain_value(self, node, node_type, where):
        if node_type == "float":
            value = node.get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            if value in ("inf", "-inf", "nan"):
                return float(value)
            raise self.fail(f"a float entry has a bad value {value!r}", where)
        return self.node_field(node, "value", {"bool": bool, "int": int, "str": str}[node_type], where)

    def decode_dict(self, node, node_type, where):
        result = OrderedDict() if node_type == "OrderedDict" else {}
        for item in self.node_field(node, "items", list, where):
            if (not isinstance(item, list) or len(item) != 2 or isinstance(item[0], bool)
                    or not isinstance(item[0], (str, int))):
                raise self.fail(f"a dict item is malformed ({item!r:.80})", where)
            key, value_node = item
            result[key] = self.decode(value_node, where + [key])
        return result

    def decode_array(self, node, node_type, where):
        entry = self.node_field(node, "array", str, where)
        if (node_type, entry) not in self.loaded:
            array = self.checked_array(node, entry, where)
            if node_type == "numpy_scalar":
                self.loaded[node_type, entry] = array[()]
            else:
                array = self.move_to_device(array, node, where)
                self.loaded[node_type, entry] = Tensor(array) if node_type == "tensor" else array
        return self.loaded[node_type, entry]

    def checked_array(self, node, entry, where):
        """The npz array named ``entry``, after checking it has the dtype and shape the JSON says."""
        if entry not in self.arrays:
            raise CheckpointError(f"load: {self.path!r}: the metadata refers to array {entry!r} "
                                  f"at {format_key_path(where)}, which is not in the file "
                                  f"(the file is corrupted or was edited)")
        array = self.arrays[entry]
        if array.dtype.str != node.get("dtype") or list(array.shape) != node.get("shape"):
            raise self.fail(f"array {entry!r} has dtype {array.dtype.str} and shape "
                            f"{tuple(array.shape)}, but the metadata says {node.get('dtype')} "
                            f"and {node.get('shape')}", where)
        return array

    def move_to_device(self, array, node, where):
        saved_on = node.get("device")
        if saved_on not in ("cpu", "cuda"):
            raise self.fail(f"bad device {saved_on!r}", where)
        try:
            return backend.to_device(array, self.device or saved_on)
        except RuntimeError as err:
            if self.device is not None:
                raise
            raise RuntimeError(f"load: {self.path!r} holds data saved on the GPU, and {err}. "
                               f"Pass map_location='cpu' to load it on the CPU.") from err


# ============================================================================
# checking a state_dict against the one a model expects
# ============================================================================
def check_state_dict(expected, loaded, strict=True):
    """Compare a loaded state_dict with the one a model has (both: name -> Tensor or array).

    Returns ``(missing, unexpected, mismatched)``: names the model has but ``loaded``
    lacks, names ``loaded`` has but the model lacks, and ``(name, expected_shape,
    got_shape)`` for names in both whose shapes differ.  All three are always computed;
    ``strict`` decides only which of them are errors, which the caller tests with
    ``state_dict_has_errors``: with ``strict=False`` missing and unexpected names are
    reported (as PyTorch's ``load_state_dict`` returns them) but tolerated.
    """
    missing = [name for name in expected if name not in loaded]
    unexpected = [name for name in loaded if name not in expected]
    mismatched = []
    for name, value in expected.items():
        if name in loaded:
            expected_shape, got_shape = _shape_of(value), _shape_of(loaded[name])
            if expected_shape != got_shape:
                mismatched.append((name, expected_shape, got_shape))
    return missing, unexpected, mismatched


def state_dict_has_errors(missing, unexpected, mismatched, strict=True):
    """Shape mismatches always stop a load; missing or unexpected names only when strict."""
    return bool(mismatched) or (strict and bool(missing or unexpected))


def _shape_of(value):
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else tuple(numpy.shape(value))


def format_state_dict_problems(owner, missing, unexpected, mismatched, max_listed=20):
    """A readable message naming every problem, one per line; '' when there is none.

    ``owner`` names what was being loaded (the model's class name).  At most
    ``max_listed`` lines of each kind are shown, then '... and N more'.
    """
    groups = [
        [f"missing key: {name!r}" for name in missing],
        [f"unexpected key: {name!r}" for name in unexpected],
        [f"shape mismatch for {name!r}: the model has shape {expected_shape}, "
         f"the state_dict has {got_shape}" for name, expected_shape, got_shape in mismatched],
    ]
    lines = []
    for group in groups:
        lines += group[:max_listed]
        if len(group) > max_listed:
            lines.append(f"... and {len(group) - max_listed} more")
    if not lines:
        return ""
    counts = f"{len(missing)} missing, {len(unexpected)} unexpected, {len(mismatched)} shape mismatched"
    return (f"Error(s) in loading state_dict for {owner} ({counts}):\n"
            + "\n".join("  " + line for line in lines))
