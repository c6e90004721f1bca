"""Devices as PyTorch spells them: ``device`` and ``is_cuda_available`` here; the
modules ``autograd.cuda``, ``autograd.accelerator`` and ``autograd.backends`` (importable,
as ``import torch.backends.cudnn as cudnn`` needs) build on them.

The engine has two places for an array, the CPU (NumPy) and one GPU (CuPy), and
names them with the strings 'cpu' and 'cuda' (``backend.normalize_device``).  A
``device`` object is that string with PyTorch's ``type`` and ``index``, so that
``tensor.device == 'cpu'``, ``torch.device('cuda:0')`` and ``x.to(device)`` all
work as a PyTorch program expects.
"""
from . import backend


class device(str):  # noqa: N801 - torch.device
    """device('cpu'), device('cuda'), device('cuda:0') or device('cuda', 0).

    It equals the engine's name for it ('cpu' or 'cuda'), so it can be passed
    wherever a device string is accepted."""

    def __new__(cls, type_or_name, index=None):
        if isinstance(type_or_name, device):
            return type_or_name
        name = str(type_or_name)
        if index is not None:
            name = f"{name}:{int(index)}"
        kind = backend.normalize_device(name)
        self = super().__new__(cls, kind)
        self._index = _index_of(name) if kind == "cuda" else None
        return self

    @property
    def type(self):
        return str.__str__(self)

    @property
    def index(self):
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self._index})"

    def __str__(self):
        return self.type if self._index is None else f"{self.type}:{self._index}"

    def __hash__(self):
        return str.__hash__(self)

    def __eq__(self, other):
        if isinstance(other, str):
            return str.__eq__(self, backend.normalize_device(other)) if _is_name(other) else False
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal


def _is_name(text):
    return text == "cpu" or text == "cuda" or text.startswith("cuda:")


def _index_of(name):
    if ":" not in name:
        return None
    index = name.split(":", 1)[1]
    if not index.isdigit():
        raise ValueError(f"invalid device {name!r}: the index after 'cuda:' must be a number")
    if int(index) != 0:
        raise ValueError(f"device {name!r}: this engine drives one GPU, cuda:0")
    return 0


def is_cuda_available():
    """True when CuPy is installed and sees a GPU."""
    try:
        backend._load_cupy()
        return True
    except RuntimeError:
        return False
