"""save / load: exact round trips, atomic writes, damaged files, and the state_dict checker."""
import json
import math
import os
import zipfile
from collections import OrderedDict

import numpy
import pytest

import autograd as torch
from autograd import backend, serialization
from autograd.serialization import (METADATA_KEY, CheckpointError, check_state_dict,
                                    format_state_dict_problems, load, save,
                                    state_dict_has_errors)


def assert_same(got, want, where="root"):
    """Equal values of exactly the same types, all the way down (nan equals nan)."""
    assert type(got) is type(want), f"{where}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, torch.Tensor):
        assert not got.requires_grad and got.device == want.device, where
        assert_same(got.detach().numpy(), want.detach().numpy(), where + ".data")
    elif isinstance(want, (numpy.ndarray, numpy.generic)):
        assert got.dtype == want.dtype and got.shape == want.shape, where
        numpy.testing.assert_array_equal(got, want, err_msg=where)
    elif isinstance(want, dict):
        assert list(got) == list(want), where   # same keys, same order, same key types
        for key in want:
            assert type(next(k for k in got if k == key)) is type(key), f"{where}: key {key!r}"
            assert_same(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for index, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{where}[{index}]")
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got), where
    else:
        assert got == want, where
        if isinstance(want, float):
            assert math.copysign(1, got) == math.copysign(1, want), where   # -0.0 stays -0.0


def round_trip(obj, tmp_path):
    path = tmp_path / "checkpoint.npz"
    save(obj, path)
    return load(path)


def a_training_checkpoint():
    weight = torch.randn(4, 3, requires_grad=True)
    return {
        "model": OrderedDict([("fc.weight", weight), ("fc.bias", torch.zeros(4, dtype=torch.float64))]),
        "optimizer": {
            "state": {0: {"step": 12, "exp_avg": torch.ones(4, 3)}, 1: {"step": 12, "exp_avg": torch.ones(4)}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "params": [0, 1]}],
        },
        "step": 1200,
        "rng": {"seed": 0, "state": numpy.arange(4, dtype=numpy.uint64), "has_gauss": False},
        "best_loss": float("inf"), "worst_loss": float("-inf"), "last_loss": float("nan"),
        "negative_zero": -0.0, "huge": 2 ** 100, "note": "ünïcödé ✓", "nothing": None,
        "empty": {"list": [], "tuple": (), "dict": {}, "ordered": OrderedDict()},
        "mixed_keys": {1: "int one", "1": "str one", -5: "negative"},
    }


# ----------------------------------------------------------------------------
# round trips
# ----------------------------------------------------------------------------
def test_a_training_checkpoint_round_trips_exactly(tmp_path):
    checkpoint = a_training_checkpoint()
    assert_same(round_trip(checkpoint, tmp_path), checkpoint)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int8",
                                   "uint8", "uint64", "bool", "complex64", ">f8"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3, 4)])
def test_arrays_and_tensors_of_every_dtype_and_shape_round_trip(tmp_path, dtype, shape):
    array = (numpy.arange(math.prod(shape)).reshape(shape) % 3).astype(dtype)
    obj = {"array": array, "tensor": torch.Tensor(array.copy()), "fortran": numpy.asfortranarray(array),
           "strided": numpy.broadcast_to(array, (2,) + shape)}
    loaded = round_trip(obj, tmp_path)
    assert_same(loaded, {key: numpy.ascontiguousarray(value) if key == "strided" else value
                         for key, value in obj.items()})


def test_numpy_scalars_keep_their_type(tmp_path):
    scalars = [numpy.float32(1.5), numpy.float64(-0.0), numpy.float64("nan"), numpy.int64(-7),
               numpy.uint8(255), numpy.bool_(True), numpy.complex128(1 - 2j)]
    assert_same(round_trip(scalars, tmp_path), scalars)


def test_tensors_come_back_as_tensors_without_grad_and_arrays_as_arrays(tmp_path):
    loaded = round_trip({"t": torch.ones(2, requires_grad=True), "a": numpy.ones(2)}, tmp_path)
    assert isinstance(loaded["t"], torch.Tensor) and not loaded["t"].requires_grad
    assert loaded["t"].is_leaf and loaded["t"].device == torch.get_default_device()
    assert type(loaded["a"]) is numpy.ndarray and loaded["a"].flags.writeable


def test_a_tensor_stored_twice_is_written_once_and_comes_back_shared(tmp_path):
    shared = torch.randn(3)
    save({"encoder": shared, "decoder": shared, "copy": shared.clone()}, tmp_path / "c")
    assert sorted(numpy.load(tmp_path / "c", allow_pickle=False).files) == [METADATA_KEY, "copy", "encoder"]
    loaded = load(tmp_path / "c")
    assert loaded["encoder"] is loaded["decoder"] and loaded["copy"] is not loaded["encoder"]


def test_the_file_is_a_plain_npz_with_readable_names_and_a_versioned_json_entry(tmp_path):
    path = tmp_path / "model.ckpt"                 # written exactly there: no '.npz' appended
    save({"model": {"fc.weight": torch.ones(2)}, "odd/name": numpy.zeros(1),
          METADATA_KEY: numpy.ones(1)}, str(path))
    assert os.listdir(tmp_path) == ["model.ckpt"]
    with numpy.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == {METADATA_KEY, "model.fc.weight", "odd_name", METADATA_KEY + "~2"}
        metadata = json.loads(str(npz[METADATA_KEY]))
    assert metadata["format"] == "autograd.checkpoint" and metadata["version"] == serialization.FORMAT_VERSION
    assert load(path)[METADATA_KEY].tolist() == [1.0]


def test_saving_over_an_existing_checkpoint_replaces_it(tmp_path):
    save({"step": 1}, tmp_path / "c")
    save({"step": 2}, tmp_path / "c")
    assert load(tmp_path / "c") == {"step": 2} and os.listdir(tmp_path) == ["c"]


# ----------------------------------------------------------------------------
# what save refuses
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("obj, message", [
    ({"model": {"act": lambda x: x}}, r"save: cannot store object of type function at \['model'\]\['act'\]"),
    ([1, {2, 3}], r"save: cannot store object of type set at \[1\]"),
    ({"a": numpy.array([None, 1], dtype=object)}, r"ndarray of dtype object at \['a'\]"),
    ({"a": numpy.array(["text"])}, r"ndarray of dtype <U4 at \['a'\]"),
    ({"a": {(1, 2): 3}}, r"dict keys must be str or int, got a key of type tuple \(\(1, 2\)\) at \['a'\]"),
    ({True: 1}, r"dict keys must be str or int, got a key of type bool"),
    (object(), r"cannot store object of type object at the top level"),
])
def test_unstorable_objects_raise_type_error_naming_the_key_path(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def test_a_structure_that_contains_itself_is_refused(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"contains itself at \['a'\]\[0\]"):
        save(loop, tmp_path / "c")


def test_save_into_a_missing_directory_says_which(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({}, tmp_path / "no" / "c")


# ----------------------------------------------------------------------------
# atomic writes: a failed save leaves the old checkpoint and no temp file
# ----------------------------------------------------------------------------
def write_then_fail(entry, array, allow_pickle):
    entry.write(b"\x93NUMPY partial bytes")
    raise OSError("disk full")


def raising(error):
    def fail(*args):
        raise error
    return fail


@pytest.mark.parametrize("failure", [
    ("numpy.lib.format.write_array", write_then_fail, OSError),
    ("os.fsync", raising(OSError("I/O error")), OSError),
    ("os.replace", raising(PermissionError("locked")), PermissionError),
    ("os.replace", raising(KeyboardInterrupt()), KeyboardInterrupt),
], ids=["write_array", "fsync", "replace", "ctrl-c"])
def test_a_failure_mid_save_keeps_the_old_checkpoint_and_leaves_no_temp_file(tmp_path, monkeypatch, failure):
    target, replacement, error = failure
    path = tmp_path / "c.npz"
    save({"step": 1, "w": torch.ones(3)}, path)
    old_bytes = path.read_bytes()
    monkeypatch.setattr(target, replacement)
    with pytest.raises(error):
        save({"step": 2, "w": torch.zeros(300)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["c.npz"] and path.read_bytes() == old_bytes
    assert load(path)["step"] == 1


def test_the_file_is_fsynced_before_it_is_renamed_into_place(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr("os.fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr("os.replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    save({"w": torch.ones(2)}, tmp_path / "c")
    assert events[:2] == ["fsync", "replace"]     # then the directory's fsync, where supported


# ----------------------------------------------------------------------------
# damaged, foreign and unsupported files
# ----------------------------------------------------------------------------
@pytest.fixture
def checkpoint_file(tmp_path):
    path = tmp_path / "good.npz"
    save({"w": torch.tensor(numpy.arange(6, dtype=numpy.float32).reshape(2, 3)), "step": 3,
          "a": numpy.arange(4), "s": numpy.float32(2)}, path)
    return path


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load(tmp_path / "nope.npz")


@pytest.mark.parametrize("keep", [0, 3, 100, 0.5, -1], ids=["empty", "3 bytes", "100 bytes", "half", "last byte cut"])
def test_a_truncated_file_raises_checkpoint_error_naming_the_path(checkpoint_file, keep):
    data = checkpoint_file.read_bytes()
    keep = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    checkpoint_file.write_bytes(data[:keep])
    with pytest.raises(CheckpointError, match=r"good\.npz.*(truncated or corrupted|not an autograd)"):
        load(checkpoint_file)


def test_flipped_bytes_in_array_data_raise_checkpoint_error(checkpoint_file):
    data = bytearray(checkpoint_file.read_bytes())
    data[data.index(numpy.arange(6, dtype=numpy.float32).tobytes()) + 5] ^= 0x10
    checkpoint_file.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"good\.npz' is truncated or corrupted"):
        load(checkpoint_file)


def test_a_flipped_byte_anywhere_raises_checkpoint_error_or_changes_nothing(checkpoint_file):
    """Zip headers hold a few fields nobody checks (timestamps); every other byte is guarded."""
    original = load(checkpoint_file)
    data = checkpoint_file.read_bytes()
    refused = 0
    with open(checkpoint_file, "r+b", buffering=0) as file:   # flip in place: rewriting is slow
        for position in range(len(data)):
            file.seek(position)
            file.write(bytes([data[position] ^ 0xFF]))
            try:
                loaded = load(checkpoint_file)
            except CheckpointError:
                refused += 1
            else:
                assert_same(loaded, original, f"byte {position}")
            file.seek(position)
            file.write(data[position:position + 1])
    assert refused > 0.75 * len(data)


def test_a_plain_npz_is_not_a_checkpoint(tmp_path):
    numpy.savez(tmp_path / "plain.npz", weights=numpy.ones(3))
    message = r"plain\.npz' is an \.npz file but not an autograd checkpoint.*'weights'"
    with pytest.raises(CheckpointError, match=message):
        load(tmp_path / "plain.npz")


@pytest.mark.parametrize("content, message", [
    (b"hello, world", "not an .npz/zip file"),
    (b"", "is empty"),
])
def test_a_file_of_another_kind_is_not_a_checkpoint(tmp_path, content, message):
    (tmp_path / "x").write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load(tmp_path / "x")


def test_a_single_npy_is_not_a_checkpoint(tmp_path):
    numpy.save(tmp_path / "x.npy", numpy.ones(2))
    with pytest.raises(CheckpointError, match="single .npy array"):
        load(tmp_path / "x.npy")


UNPICKLED = []


def record_unpickling():
    UNPICKLED.append(True)
    return "payload"


class RunsCodeWhenUnpickled:
    def __reduce__(self):
        return (record_unpickling, ())


def rewrite_checkpoint(path, change):
    """Rewrite a checkpoint's npz entries after ``change(metadata, arrays)`` edits them."""
    with numpy.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    metadata = json.loads(str(arrays.pop(METADATA_KEY)))
    change(metadata, arrays)
    arrays[METADATA_KEY] = numpy.array(json.dumps(metadata))
    with open(path, "wb") as file:
        numpy.savez(file, **arrays, allow_pickle=True)


@pytest.mark.parametrize("with_metadata", [False, True], ids=["foreign npz", "checkpoint with object entry"])
def test_object_arrays_are_refused_without_unpickling_them(checkpoint_file, with_metadata):
    evil = numpy.array([RunsCodeWhenUnpickled()], dtype=object)
    if with_metadata:
        rewrite_checkpoint(checkpoint_file, lambda metadata, arrays: arrays.update(a=evil))
        message = "contains an array of Python objects.*allow_pickle=False"
    else:
        numpy.savez(checkpoint_file, evil=evil, allow_pickle=True)
        message = "not an autograd checkpoint"
    with pytest.raises(CheckpointError, match=message):
        load(checkpoint_file)
    assert UNPICKLED == []


def drop_array(metadata, arrays):
    del arrays["w"]


def set_version(version):
    return lambda metadata, arrays: metadata.update(version=version)


def retype_array(metadata, arrays):
    arrays["a"] = arrays["a"].astype(numpy.int32)


def unknown_node_type(metadata, arrays):
    metadata["root"]["items"][1][1]["type"] = "pickle"


@pytest.mark.parametrize("change, message", [
    (drop_array, r"metadata refers to array 'w' at \['w'\], which is not in the file"),
    (set_version(serialization.FORMAT_VERSION + 1), "written by a newer autograd"),
    (set_version("one"), "invalid format version 'one'"),
    (lambda metadata, arrays: metadata.update(format="other"), "not an autograd checkpoint"),
    (retype_array, r"array 'a' has dtype <i4 .* but the metadata says <i8"),
    (unknown_node_type, r"unknown entry type 'pickle' at \['step'\]"),
])
def test_inconsistent_metadata_raises_checkpoint_error(checkpoint_file, change, message):
    rewrite_checkpoint(checkpoint_file, change)
    with pytest.raises(CheckpointError, match=message):
        load(checkpoint_file)


def test_a_zip_member_that_is_not_an_npy_array_is_refused(checkpoint_file):
    with zipfile.ZipFile(checkpoint_file, "a") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(CheckpointError, match="entry 'notes.txt' is not a .npy array"):
        load(checkpoint_file)


def test_metadata_that_is_not_json_raises_checkpoint_error(tmp_path):
    numpy.savez(tmp_path / "c.npz", **{METADATA_KEY: numpy.array("{not json")})
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load(tmp_path / "c.npz")


# ----------------------------------------------------------------------------
# devices
# ----------------------------------------------------------------------------
def test_map_location_cpu_and_bad_names(checkpoint_file):
    assert load(checkpoint_file, map_location="cpu")["w"].device == "cpu"
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        load(checkpoint_file, map_location="tpu")


def test_gpu_data_round_trips_and_map_location_moves_it(tmp_path, device):
    if device == "cpu":
        pytest.skip("needs CuPy and a GPU")
    saved = {"t": torch.ones(2, 3).to("cuda"), "a": backend.to_device(numpy.arange(3), "cuda")}
    save(saved, tmp_path / "c")
    on_gpu = load(tmp_path / "c")
    assert on_gpu["t"].device == "cuda" and backend.is_cupy_array(on_gpu["a"])
    on_cpu = load(tmp_path / "c", map_location="cpu")
    assert on_cpu["t"].device == "cpu" and type(on_cpu["a"]) is numpy.ndarray
    numpy.testing.assert_array_equal(on_cpu["t"].array, numpy.ones((2, 3), numpy.float32))
    back_on_gpu = load(tmp_path / "c", map_location="cuda")["a"]
    numpy.testing.assert_array_equal(backend.to_numpy(back_on_gpu), numpy.arange(3))


def test_gpu_checkpoint_without_a_gpu_suggests_map_location(checkpoint_file):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")

    def mark_saved_on_gpu(metadata, arrays):
        metadata["root"]["items"][0][1]["device"] = "cuda"
    rewrite_checkpoint(checkpoint_file, mark_saved_on_gpu)
    with pytest.raises(RuntimeError, match="saved on the GPU.*map_location='cpu'"):
        load(checkpoint_file)
    assert load(checkpoint_file, map_location="cpu")["w"].device == "cpu"


# ----------------------------------------------------------------------------
# check_state_dict / format_state_dict_problems
# ----------------------------------------------------------------------------
MODEL_STATE = OrderedDict([("fc1.weight", torch.zeros(4, 3)), ("fc1.bias", torch.zeros(4)),
                           ("fc2.weight", numpy.zeros((2, 4), numpy.float32))])


def test_a_matching_state_dict_has_no_problems():
    loaded = {"fc1.weight": numpy.ones((4, 3)), "fc1.bias": torch.ones(4), "fc2.weight": torch.ones(2, 4)}
    assert check_state_dict(MODEL_STATE, loaded) == ([], [], [])
    assert not state_dict_has_errors([], [], [])
    assert format_state_dict_problems("Net", [], [], []) == ""


def test_check_state_dict_finds_missing_unexpected_and_mismatched_names():
    loaded = {"fc1.weight": torch.ones(3, 4), "fc1.bias": torch.ones(4), "fc3.weight": 1.0}
    problems = check_state_dict(MODEL_STATE, loaded)
    assert problems == (["fc2.weight"], ["fc3.weight"], [("fc1.weight", (4, 3), (3, 4))])
    assert check_state_dict(MODEL_STATE, loaded, strict=False) == problems   # reported either way


def test_only_shape_mismatches_are_errors_when_not_strict():
    assert state_dict_has_errors(["a"], [], []) and state_dict_has_errors([], ["b"], [])
    assert not state_dict_has_errors(["a"], ["b"], [], strict=False)
    assert state_dict_has_errors([], [], [("c", (1,), (2,))], strict=False)
    assert check_state_dict({"w": torch.ones(2)}, {"w": 3.0})[2] == [("w", (2,), ())]


def test_format_state_dict_problems_names_each_problem_on_its_own_line():
    message = format_state_dict_problems("Net", ["fc2.weight"], ["fc3.weight"], [("fc1.weight", (4, 3), (3, 4))])
    assert message.splitlines() == [
        "Error(s) in loading state_dict for Net (1 missing, 1 unexpected, 1 shape mismatched):",
        "  missing key: 'fc2.weight'",
        "  unexpected key: 'fc3.weight'",
        "  shape mismatch for 'fc1.weight': the model has shape (4, 3), the state_dict has (3, 4)",
    ]


def test_format_state_dict_problems_shortens_long_lists():
    message = format_state_dict_problems("Net", [f"layer{i}" for i in range(25)], [], [], max_listed=20)
    assert "missing key: 'layer19'" in message and "layer20" not in message
    assert message.endswith("... and 5 more")
