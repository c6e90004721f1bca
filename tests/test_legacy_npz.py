"""Checkpoints of the earlier .npz format still load, and a hostile .npz cannot take
more memory than its size or run code (autograd/legacy_npz.py)."""
import io
import json
import tracemalloc
import zipfile

import numpy
import pytest

import autograd as torch
from autograd.serialization import CheckpointError, load

ENTRY = "__autograd_checkpoint__"


def write_legacy(path, root, arrays, compression=zipfile.ZIP_STORED):
    """A checkpoint as the earlier format wrote it: an npz of .npy entries plus the description."""
    description = json.dumps({"format": "autograd.checkpoint", "version": 1, "root": root})
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, array in [(ENTRY, numpy.array(description))] + list(arrays.items()):
            buffer = io.BytesIO()
            numpy.lib.format.write_array(buffer, array, allow_pickle=True)
            archive.writestr(name + ".npy", buffer.getvalue())


def tensor_node(name, array):
    return {"type": "tensor", "array": name, "dtype": array.dtype.str, "shape": list(array.shape),
            "device": "cpu"}


def test_an_old_checkpoint_loads_with_every_kind_of_value(tmp_path):
    weight = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    wide = numpy.array([1 + 2j, -3j])
    root = {"type": "dict", "items": [
        ["model.w", tensor_node("model.w", weight)],
        ["step", {"type": "int", "value": 7}],
        ["z", {"type": "ndarray", "array": "z", "dtype": wide.dtype.str, "shape": [2], "device": "cpu"}],
        ["pair", {"type": "tuple", "items": [{"type": "float", "value": "inf"}, {"type": "none"}]}]]}
    write_legacy(tmp_path / "old.ckpt", root, {"model.w": weight, "z": wide})
    loaded = load(tmp_path / "old.ckpt")
    assert loaded["step"] == 7 and loaded["pair"] == (float("inf"), None)
    numpy.testing.assert_array_equal(loaded["model.w"].numpy(), weight)
    assert loaded["z"].dtype == numpy.complex128 and loaded["z"].tolist() == wide.tolist()


def test_a_compressed_entry_is_refused_before_it_is_inflated(tmp_path):
    """A zip bomb: 200 MB of zeros deflate to a few hundred kB."""
    zeros = numpy.zeros(25_000_000)
    write_legacy(tmp_path / "bomb.ckpt", tensor_node("w", zeros), {"w": zeros},
                 compression=zipfile.ZIP_DEFLATED)
    size = (tmp_path / "bomb.ckpt").stat().st_size
    assert size < 1_000_000
    tracemalloc.start()
    with pytest.raises(CheckpointError, match="is compressed"):
        load(tmp_path / "bomb.ckpt")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * size


def test_an_npy_header_declaring_more_than_its_bytes_is_refused(tmp_path):
    header = io.BytesIO()
    numpy.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                     "shape": (10 ** 12,)})
    lying_npy = header.getvalue() + numpy.zeros(4).tobytes()       # 32 bytes of data
    description = json.dumps({"format": "autograd.checkpoint", "version": 1, "root": {"type": "none"}})
    buffer = io.BytesIO()
    numpy.lib.format.write_array(buffer, numpy.array(description))
    with zipfile.ZipFile(tmp_path / "lie.ckpt", "w") as archive:
        archive.writestr(ENTRY + ".npy", buffer.getvalue())
        archive.writestr("w.npy", lying_npy)
    tracemalloc.start()
    with pytest.raises(CheckpointError, match=r"declares shape \(1000000000000,\)"):
        load(tmp_path / "lie.ckpt")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000


UNPICKLED = []


class RunsCodeWhenUnpickled:
    def __reduce__(self):
        return (UNPICKLED.append, (True,))


def test_object_arrays_are_refused_without_unpickling_them(tmp_path):
    evil = numpy.array([RunsCodeWhenUnpickled()], dtype=object)
    write_legacy(tmp_path / "evil.ckpt", {"type": "none"}, {"evil": evil})
    with pytest.raises(CheckpointError, match="Python objects"):
        load(tmp_path / "evil.ckpt")
    assert UNPICKLED == []


def test_a_plain_npz_is_not_a_checkpoint(tmp_path):
    numpy.savez(tmp_path / "plain.npz", weights=numpy.ones(3))
    with pytest.raises(CheckpointError, match="no '__autograd_checkpoint__' entry"):
        load(tmp_path / "plain.npz")


def test_a_truncated_npz_is_a_checkpoint_error(tmp_path):
    weight = numpy.ones(100, numpy.float32)
    write_legacy(tmp_path / "cut.ckpt", tensor_node("w", weight), {"w": weight})
    data = (tmp_path / "cut.ckpt").read_bytes()
    (tmp_path / "cut.ckpt").write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match="cut.ckpt"):
        load(tmp_path / "cut.ckpt")
