"""The IDX file format of the original MNIST files, and Fashion-MNIST read from it.

An IDX file is a header followed by the array's values, everything big-endian:

    bytes 0-1   zero
    byte  2     the type of each value: 0x08 uint8, 0x09 int8, 0x0B int16,
                0x0C int32, 0x0D float32, 0x0E float64
    byte  3     the number of dimensions, ndim
    then        ndim sizes, each a 4-byte unsigned integer
    then        the values, in C (row-major) order

So ``train-images-idx3-ubyte`` starts 00 00 08 03, then 60000, 28, 28, then
60000 * 28 * 28 pixels. The files are usually shipped gzipped; the reader
recognises gzip by its first two bytes (1f 8b), whatever the file is called.

Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, Zalando, MIT licence) has the
same shapes and file names as MNIST. Nothing here downloads anything: it is
read from a folder you name or from where Debian's ``dataset-fashion-mnist``
package puts it.
"""
import gzip
import pathlib
import struct

import numpy

# type code -> big-endian NumPy dtype of one value
IDX_DTYPES = {
    0x08: numpy.dtype("u1"),
    0x09: numpy.dtype("i1"),
    0x0B: numpy.dtype(">i2"),
    0x0C: numpy.dtype(">i4"),
    0x0D: numpy.dtype(">f4"),
    0x0E: numpy.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"

DEBIAN_FASHION_MNIST_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


class IDXError(ValueError):
    """A file that is not a well-formed IDX file (wrong magic number, wrong size)."""


def read_idx(path):
    """The array stored in IDX file ``path`` (gzipped or raw), in native byte order."""
    path = pathlib.Path(path)
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, gzip.BadGzipFile) as err:
            raise IDXError(f"{path}: the gzip stream is damaged or cut short ({err})") from err
    return parse_idx(raw, name=str(path))


def parse_idx(raw, name="IDX data"):
    """The array held by the bytes ``raw`` of an (uncompressed) IDX file."""
    if len(raw) < 4:
        raise IDXError(f"{name}: {len(raw)} bytes is too short for an IDX header "
                       f"(4 bytes at least)")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or type_code not in IDX_DTYPES:
        raise IDXError(f"{name}: not an IDX file: magic number {raw[:4].hex(' ')}, expected "
                       f"00 00 <type> <ndim> with type one of "
                       f"{', '.join(f'{code:02x}' for code in IDX_DTYPES)}")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IDXError(f"{name}: truncated header: {ndim} dimensions need {header_size} bytes, "
                       f"the file has {len(raw)}")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = IDX_DTYPES[type_code]
    expected = header_size + int(numpy.prod(shape, dtype=numpy.int64)) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "too long"
        raise IDXError(f"{name}: {problem}: a {dtype.name} array of shape {shape} makes an IDX "
                       f"file of {expected} bytes, this one has {len(raw)}")
    values = numpy.frombuffer(raw, dtype=dtype, offset=header_size)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array, compresslevel=6):
    """Write ``array`` to ``path`` as an IDX file, gzipped when the name ends in '.gz'."""
    array = numpy.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
    if array.dtype not in codes:
        raise TypeError(f"write_idx: IDX cannot hold dtype {array.dtype}; "
                        f"use one of {', '.join(d.name for d in IDX_DTYPES.values())}")
    header = struct.pack(f">HBB{array.ndim}I", 0, codes[array.dtype], array.ndim, *array.shape)
    big_endian = array.astype(array.dtype.newbyteorder(">"), copy=False)
    raw = header + numpy.ascontiguousarray(big_endian).tobytes()
    path = pathlib.Path(path)
    if path.suffix == ".gz":
        raw = gzip.compress(raw, compresslevel=compresslevel)
    path.write_bytes(raw)


def load_fashion_mnist(split="train", data_dir=None):
    """(images, labels): uint8 arrays (N, 28, 28) and (N,), Fashion-MNIST's 'train' or 'test' split.

    Looks for the four original IDX files (``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
    ``t10k-labels-idx1-ubyte.gz``, gzipped or not) first in ``data_dir``, then
    in /usr/share/datasets/fashion-mnist/. Label k names FASHION_MNIST_CLASSES[k].
    """
    if split not in ("train", "test"):
        raise ValueError(f"load_fashion_mnist: split must be 'train' or 'test', got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    folders = [pathlib.Path(data_dir)] if data_dir is not None else []
    folders.append(DEBIAN_FASHION_MNIST_DIR)
    for folder in folders:
        images_path = _find_idx(folder, f"{prefix}-images-idx3-ubyte")
        labels_path = _find_idx(folder, f"{prefix}-labels-idx1-ubyte")
        if images_path and labels_path:
            return _read_image_set(images_path, labels_path)
    raise FileNotFoundError(
        f"Fashion-MNIST ({split}) not found: looked for {prefix}-images-idx3-ubyte.gz and "
        f"{prefix}-labels-idx1-ubyte.gz in {' and '.join(str(f) for f in folders)}. "
        f"Get it with 'apt-get install dataset-fashion-mnist' (Debian/Ubuntu), or pass "
        f"--data-dir DIR (data_dir=DIR) naming a folder that holds the four IDX files "
        f"train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz "
        f"and t10k-labels-idx1-ubyte.gz. Nothing is downloaded for you.")


def _find_idx(folder, stem):
    """folder/stem.gz or folder/stem, whichever exists (gzipped first), else None."""
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None


def _read_image_set(images_path, labels_path):
    """Read a pair of MNIST-style IDX files and check that they belong together."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != numpy.uint8 or images.ndim != 3:
        raise IDXError(f"{images_path}: expected uint8 images (N, H, W), "
                       f"got {images.dtype} {images.shape}")
    if labels.dtype != numpy.uint8 or labels.shape != images.shape[:1]:
        raise IDXError(f"{labels_path}: expected {len(images)} uint8 labels to match "
                       f"{images_path.name}, got {labels.dtype} {labels.shape}")
    return images, labels
