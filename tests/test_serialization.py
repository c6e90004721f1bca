"""save / load: exact round trips, atomic writes, damaged and hostile files, and the state_dict checker."""
import json
import math
import os
import zipfile
from collections import OrderedDict

import numpy
import pytest

import autograd as torch
from autograd import backend, serialization
from autograd.nn.state_dict import format_state_dict_problems, state_dict_problems
from autograd.serialization import METADATA_KEY, CheckpointError, load, save


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
    path = tmp_path / "checkpoint.ckpt"
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


def read_raw(path):
    """A safetensors file's header (as a dict) and the bytes after it."""
    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    return json.loads(data[8:8 + size]), data[8 + size:]


def write_raw(path, header, body):
    encoded = json.dumps(header).encode()
    path.write_bytes(len(encoded).to_bytes(8, "little") + encoded + body)


def test_a_tensor_stored_twice_is_written_once_and_comes_back_shared(tmp_path):
    shared = torch.randn(3)
    save({"encoder": shared, "decoder": shared, "copy": shared.clone()}, tmp_path / "c")
    header, _ = read_raw(tmp_path / "c")
    assert sorted(k for k in header if k != "__metadata__") == ["copy", "encoder"]
    loaded = load(tmp_path / "c")
    assert loaded["encoder"] is loaded["decoder"] and loaded["copy"] is not loaded["encoder"]


def test_the_file_is_safetensors_with_readable_names_and_a_versioned_description(tmp_path):
    from safetensors import safe_open
    path = tmp_path / "model.ckpt"                 # written exactly there: no suffix appended
    save({"model": {"fc.weight": torch.ones(2)}, "odd/name": numpy.zeros(1), "odd_name": numpy.ones(1)},
         str(path))
    assert os.listdir(tmp_path) == ["model.ckpt"]
    with safe_open(path, framework="numpy") as file:
        assert set(file.keys()) == {"model.fc.weight", "odd_name", "odd_name~2"}
        description = json.loads(file.metadata()[METADATA_KEY])
    assert description["format"] == "autograd.checkpoint" and description["version"] == serialization.FORMAT_VERSION
    assert load(path)["odd/name"].tolist() == [0.0] and load(path)["odd_name"].tolist() == [1.0]


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
def write_then_fail(tensors, filename, metadata=None):
    with open(filename, "wb") as file:
        file.write(b"partial bytes")
    raise OSError("disk full")


def raising(error):
    def fail(*args):
        raise error
    return fail


@pytest.mark.parametrize("failure", [
    ("safetensors.numpy.save_file", write_then_fail, OSError),
    ("os.fsync", raising(OSError("I/O error")), OSError),
    ("os.replace", raising(PermissionError("locked")), PermissionError),
    ("os.replace", raising(KeyboardInterrupt()), KeyboardInterrupt),
], ids=["write", "fsync", "replace", "ctrl-c"])
def test_a_failure_mid_save_keeps_the_old_checkpoint_and_leaves_no_temp_file(tmp_path, monkeypatch, failure):
    target, replacement, error = failure
    path = tmp_path / "c.ckpt"
    save({"step": 1, "w": torch.ones(3)}, path)
    old_bytes = path.read_bytes()
    monkeypatch.setattr(target, replacement)
    with pytest.raises(error):
        save({"step": 2, "w": torch.zeros(300)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["c.ckpt"] and path.read_bytes() == old_bytes
    assert load(path)["step"] == 1


def test_temporary_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    import subprocess
    import sys
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(gone.stdout)
    stale = tmp_path / f".c.ckpt.{dead_pid}.0123abcd.tmp"
    alive = tmp_path / f".c.ckpt.{os.getpid()}.4567cdef.tmp"     # a save still in progress
    foreign = tmp_path / "notes.tmp"
    for path in (stale, alive, foreign):
        path.write_bytes(b"x" * 100)
    save({"step": 1}, tmp_path / "c.ckpt")
    assert sorted(os.listdir(tmp_path)) == sorted([alive.name, foreign.name, "c.ckpt"])


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
    path = tmp_path / "good.ckpt"
    save({"w": torch.tensor(numpy.arange(6, dtype=numpy.float32).reshape(2, 3)), "step": 3,
          "a": numpy.arange(4), "s": numpy.float32(2)}, path)
    return path


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.ckpt"):
        load(tmp_path / "nope.ckpt")


@pytest.mark.parametrize("keep", [0, 3, 100, 0.5, -1], ids=["empty", "3 bytes", "100 bytes", "half", "last byte cut"])
def test_a_truncated_file_raises_checkpoint_error_naming_the_path(checkpoint_file, keep):
    data = checkpoint_file.read_bytes()
    keep = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    checkpoint_file.write_bytes(data[:keep])
    with pytest.raises(CheckpointError, match=r"good\.ckpt"):
        load(checkpoint_file)


def test_a_flipped_byte_anywhere_raises_checkpoint_error_or_loads_what_it_says(checkpoint_file):
    """A byte of the header is checked; a byte of array data changes one number (safetensors
    has no checksum): either way load never fails with anything but CheckpointError."""
    original = load(checkpoint_file)
    data = checkpoint_file.read_bytes()
    header_end = 8 + int.from_bytes(data[:8], "little")
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
                if position < header_end:
                    assert_same(loaded, original, f"byte {position}")
            file.seek(position)
            file.write(data[position:position + 1])
    assert refused > 0.75 * header_end


def test_a_safetensors_file_from_pytorch_loads_as_a_dict_of_tensors(tmp_path):
    import safetensors.numpy
    safetensors.numpy.save_file({"fc.weight": numpy.ones((2, 3), numpy.float32),
                                 "steps": numpy.array(4, numpy.int64)}, tmp_path / "w.safetensors")
    loaded = load(tmp_path / "w.safetensors")
    assert sorted(loaded) == ["fc.weight", "steps"] and isinstance(loaded["fc.weight"], torch.Tensor)
    assert loaded["fc.weight"].shape == (2, 3) and loaded["steps"].item() == 4


@pytest.mark.parametrize("content", [b"hello, world", b"", b"\x93NUMPY\x01\x00", b"{}" * 10])
def test_a_file_of_another_kind_is_not_a_checkpoint(tmp_path, content):
    (tmp_path / "x").write_bytes(content)
    with pytest.raises(CheckpointError, match="'.*x' is not a checkpoint"):
        load(tmp_path / "x")


def test_a_directory_or_a_fifo_is_refused_without_blocking(tmp_path):
    with pytest.raises(CheckpointError, match="is a directory"):
        load(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        with pytest.raises(CheckpointError, match="not a regular file"):
            load(tmp_path / "fifo")


def rewrite_description(path, change):
    """Edit a checkpoint's description (and header) in place with ``change(description, header)``."""
    header, body = read_raw(path)
    description = json.loads(header["__metadata__"][METADATA_KEY])
    change(description, header)
    header["__metadata__"][METADATA_KEY] = json.dumps(description)
    write_raw(path, header, body)


def drop_array(description, header):
    description["root"]["items"][0][1]["array"] = "gone"


def set_version(version):
    return lambda description, header: description.update(version=version)


def retype_array(description, header):
    header["a"]["dtype"] = "I32"
    header["a"]["shape"] = [8]


def unknown_node_type(description, header):
    description["root"]["items"][1][1]["type"] = "pickle"


def test_a_description_nested_900_deep_is_one_checkpoint_error(checkpoint_file):
    header, body = read_raw(checkpoint_file)
    nested = '{"type": "list", "items": [' * 900 + '{"type": "none"}' + "]}" * 900
    text = header["__metadata__"][METADATA_KEY]
    header["__metadata__"][METADATA_KEY] = text.replace('{"type": "int", "value": 3}', nested)
    write_raw(checkpoint_file, header, body)
    with pytest.raises(CheckpointError, match="nesting deeper than 64|not valid JSON"):
        load(checkpoint_file)


@pytest.mark.parametrize("change, message", [
    (drop_array, r"refers to array 'gone' at \['w'\], which is not in the file"),
    (set_version(serialization.FORMAT_VERSION + 1), "written by a newer autograd"),
    (set_version("one"), "invalid format version 'one'"),
    (lambda description, header: description.update(format="other"), "not an autograd checkpoint"),
    (retype_array, r"array 'a' is stored with dtype int32 and shape \(8,\), but the description says int64 and \(4,\)"),
    (unknown_node_type, r"unknown entry type 'pickle' at \['step'\]"),
    (lambda description, header: description["root"]["items"][1][1].update(value="x" * (1 << 21)),
     "a int entry has a bad 'value' field"),
    (lambda description, header: description["root"]["items"][0][1].update(shape=[-1, 3]), "bad shape"),
    (lambda description, header: description["root"]["items"][0][1].update(dtype="|O"), "is never saved"),
])
def test_inconsistent_or_hostile_descriptions_raise_checkpoint_error(checkpoint_file, change, message):
    rewrite_description(checkpoint_file, change)
    with pytest.raises(CheckpointError, match=message):
        load(checkpoint_file)


def test_a_description_that_is_not_json_raises_checkpoint_error(checkpoint_file):
    header, body = read_raw(checkpoint_file)
    header["__metadata__"][METADATA_KEY] = "{not json"
    write_raw(checkpoint_file, header, body)
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load(checkpoint_file)


def test_a_header_declaring_a_huge_array_is_refused_before_any_memory_is_taken(checkpoint_file):
    import tracemalloc
    header, body = read_raw(checkpoint_file)
    header["w"]["shape"] = [10 ** 12]
    write_raw(checkpoint_file, header, body)
    tracemalloc.start()
    with pytest.raises(CheckpointError):
        load(checkpoint_file)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000


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

    def mark_saved_on_gpu(description, header):
        description["root"]["items"][0][1]["device"] = "cuda"
    rewrite_description(checkpoint_file, mark_saved_on_gpu)
    with pytest.raises(RuntimeError, match="saved on the GPU.*map_location='cpu'"):
        load(checkpoint_file)
    assert load(checkpoint_file, map_location="cpu")["w"].device == "cpu"


# ----------------------------------------------------------------------------
# state_dict_problems / format_state_dict_problems (autograd/nn/state_dict.py)
# ----------------------------------------------------------------------------
MODEL_STATE = OrderedDict([("fc1.weight", torch.zeros(4, 3)), ("fc1.bias", torch.zeros(4)),
                           ("fc2.weight", torch.zeros(2, 4)), ("steps", torch.zeros(1, dtype=torch.int64))])


def test_a_matching_state_dict_has_no_problems():
    loaded = {name: numpy.ones(tuple(t.shape), t.dtype) for name, t in MODEL_STATE.items()}
    assert state_dict_problems(MODEL_STATE, loaded) == ([], [], [])
    assert format_state_dict_problems("Net", [], [], []) == ""


def test_state_dict_problems_finds_every_kind_of_problem():
    loaded = {"fc1.weight": torch.zeros(3, 4), "fc1.bias": "zeros", "fc3.weight": torch.zeros(1),
              "steps": numpy.array([1.5])}
    missing, unexpected, wrong = state_dict_problems(MODEL_STATE, loaded)
    assert missing == ["fc2.weight"] and unexpected == ["fc3.weight"]
    assert dict(wrong) == {"fc1.weight": "the model has shape (4, 3), the state_dict has (3, 4)",
                           "fc1.bias": "expected a Tensor or array, got str",
                           "steps": "the model holds int64, the state_dict has float64"}


def test_format_state_dict_problems_names_each_problem_on_its_own_line():
    message = format_state_dict_problems("Net", ["fc2.weight"], ["fc3.weight"],
                                         [("fc1.weight", "the model has shape (4, 3), the state_dict has (3, 4)")])
    assert message.splitlines() == [
        "Error(s) in loading state_dict for Net (1 missing, 1 unexpected, 1 that cannot be copied):",
        "  missing key: 'fc2.weight'", "  unexpected key: 'fc3.weight'",
        "  'fc1.weight': the model has shape (4, 3), the state_dict has (3, 4)"]


def test_format_state_dict_problems_shortens_long_lists():
    message = format_state_dict_problems("Net", [f"layer{i}" for i in range(25)], [], [], max_listed=20)
    assert "layer19" in message and "layer20" not in message and "... and 5 more" in message


def test_module_load_state_dict_changes_nothing_when_a_late_value_is_wrong():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    before = {name: t.numpy().copy() for name, t in model.state_dict().items()}
    state = {name: torch.ones(*t.shape) for name, t in model.state_dict().items()}
    state["1.bias"] = "not a tensor"              # the last entry: the first ones come before it
    with pytest.raises(RuntimeError, match="'1.bias': expected a Tensor or array, got str"):
        model.load_state_dict(state)
    for name, t in model.state_dict().items():
        numpy.testing.assert_array_equal(t.numpy(), before[name])
