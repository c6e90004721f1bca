"""Checkpoints under attack (issue [2 of 7]): truncated, flipped and crafted files.

Every damaged file must raise ``CheckpointError`` (or, where safetensors has no
checksum, load numbers that are simply different), must never run code, must not
take memory beyond a small multiple of its own size, and a model and optimizer fed
what was loaded must either take all of it or be left exactly as they were."""
import json
import tracemalloc

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd.serialization import CheckpointError, load, save


def model_and_optimizer():
    autograd.manual_seed(0)
    model = autograd.nn.Sequential(autograd.nn.Linear(6, 8), autograd.nn.BatchNorm1d(8),
                                   autograd.nn.Linear(8, 3))
    optimizer = autograd.optim.Adam(model.parameters(), lr=1e-3)
    model(autograd.randn(4, 6)).sum().backward()
    optimizer.step()
    return model, optimizer


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("attacks") / "good.ckpt"
    model, optimizer = model_and_optimizer()
    save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": 7}, path)
    return path.read_bytes()


def parts(data):
    size = int.from_bytes(data[:8], "little")
    return json.loads(data[8:8 + size]), data[8 + size:]


def assemble(header, body):
    encoded = json.dumps(header).encode()
    return len(encoded).to_bytes(8, "little") + encoded + body


def state_of(model, optimizer):
    weights = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    return weights, json.dumps(optimizer.state_dict(), default=lambda a: numpy.asarray(a).tolist())


def check_attack(path, data):
    """Load ``data`` from ``path``; assert the rules of this file (see its docstring)."""
    path.write_bytes(data)
    model, optimizer = model_and_optimizer()
    before = state_of(model, optimizer)
    tracemalloc.start()
    try:
        loaded = load(path)
    except CheckpointError:
        loaded = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak <= 4 * len(data) + 2_000_000, f"loading a {len(data)}-byte file took {peak} bytes"
    if loaded is None:
        return "refused"
    try:
        model.load_state_dict(loaded["model"])
        optimizer.load_state_dict(loaded["optimizer"])
    except (RuntimeError, ValueError, TypeError, KeyError):
        weights, optimizer_state = state_of(model, optimizer)
        assert optimizer_state == before[1]
        for name, value in weights.items():
            numpy.testing.assert_array_equal(value, before[0][name])
        return "loaded, refused by the model"
    return "loaded"


HEALTH = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(max_examples=30, **HEALTH)
@given(cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_checkpoint_is_refused(cut, good_checkpoint, tmp_path):
    data = good_checkpoint[:int(cut * len(good_checkpoint))]
    assert check_attack(tmp_path / "c.ckpt", data) == "refused"


@settings(max_examples=40, **HEALTH)
@given(flips=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(1, 255)), min_size=1, max_size=4))
def test_flipped_bytes_are_refused_or_harmless(flips, good_checkpoint, tmp_path):
    data = bytearray(good_checkpoint)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    check_attack(tmp_path / "c.ckpt", bytes(data))


HEADER_ATTACKS = {
    "huge_shape": lambda h: h[_first_tensor(h)].update(shape=[10 ** 12, 10 ** 6]),
    "shape_lies": lambda h: h[_first_tensor(h)].update(shape=[3, 3]),
    "unknown_dtype": lambda h: h[_first_tensor(h)].update(dtype="Q99"),
    "bfloat16": lambda h: h[_first_tensor(h)].update(dtype="BF16"),
    "offsets_past_the_end": lambda h: h[_first_tensor(h)].update(data_offsets=[0, 10 ** 15]),
    "offsets_reversed": lambda h: h[_first_tensor(h)].update(data_offsets=[8, 0]),
    "metadata_not_text": lambda h: h.update(__metadata__={"autograd": 3}),
    "no_metadata": lambda h: h.pop("__metadata__"),
    "description_says_other_shape": lambda h: _edit_description(h, _retype),
    "description_nested_deep": lambda h: _edit_description(h, _nest),
    "description_huge_int": lambda h: h["__metadata__"].update(autograd=h["__metadata__"]["autograd"].replace(
        '{"type": "int", "value": 7}', '{"type": "int", "value": ' + "9" * 5000 + "}")),
    "description_wrong_types": lambda h: _edit_description(h, _wrong_types),
    "description_pickle_tag": lambda h: _edit_description(h, _pickle_tag),
}


def _first_tensor(header):
    return sorted(k for k in header if k != "__metadata__")[0]


def _edit_description(header, change):
    description = json.loads(header["__metadata__"]["autograd"])
    change(description)
    header["__metadata__"]["autograd"] = json.dumps(description)


def _walk(node):
    yield node
    for item in node.get("items", []):
        yield from _walk(item[1] if isinstance(item, list) else item)


def _retype(description):
    arrays = [n for n in _walk(description["root"]) if n.get("type") == "tensor"]
    arrays[0]["shape"] = [n + 1 for n in arrays[0]["shape"]]


def _nest(description):
    node = {"type": "none"}
    for _ in range(200):
        node = {"type": "list", "items": [node]}
    description["root"]["items"].append(["deep", node])


def _wrong_types(description):
    for node in _walk(description["root"]):
        if node.get("type") == "int":
            node["value"] = "seven"


def _pickle_tag(description):
    description["root"]["items"][0][1] = {"type": "pickle", "value": "cos\nsystem\n(S'echo x'\ntR."}


@pytest.mark.parametrize("name", sorted(HEADER_ATTACKS))
def test_a_crafted_header_is_refused(name, good_checkpoint, tmp_path):
    header, body = parts(good_checkpoint)
    HEADER_ATTACKS[name](header)
    outcome = check_attack(tmp_path / "c.ckpt", assemble(header, body))
    expected = {"no_metadata": "loaded, refused by the model"}.get(name, "refused")
    assert outcome == expected


@settings(max_examples=30, **HEALTH)
@given(data=st.data())
def test_a_description_with_random_values_is_refused_or_refused_by_the_model(data, good_checkpoint, tmp_path):
    """Values of the description replaced by random JSON: the loader's schema or the
    model's and optimizer's checks must catch every one, or the load is harmless."""
    header, body = parts(good_checkpoint)
    description = json.loads(header["__metadata__"]["autograd"])
    nodes = list(_walk(description["root"]))
    node = data.draw(st.sampled_from(nodes))
    field = data.draw(st.sampled_from(sorted(node)))
    node[field] = data.draw(st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
        max_leaves=5))
    header["__metadata__"]["autograd"] = json.dumps(description)
    check_attack(tmp_path / "c.ckpt", assemble(header, body))


def test_a_checkpoint_of_another_architecture_changes_nothing(tmp_path):
    other = autograd.nn.Sequential(autograd.nn.Linear(6, 8), autograd.nn.BatchNorm1d(8),
                                   autograd.nn.Linear(8, 4))   # the last layer is wider
    save({"model": other.state_dict(), "optimizer": {"state": {}, "param_groups": []}}, tmp_path / "o.ckpt")
    assert check_attack(tmp_path / "c.ckpt", (tmp_path / "o.ckpt").read_bytes()) == "loaded, refused by the model"
