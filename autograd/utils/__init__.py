"""autograd.utils: helpers around the engine, as ``torch.utils`` (for now, ``data``)."""
from . import data  # noqa: F401  (torch.utils.data.DataLoader)

__all__ = ["data"]
