"""Changing a tensor in place, with PyTorch's semantics.

Three rules make in-place changes safe for gradients:

1. **Every change is counted.**  Each tensor has a version counter, shared with
   every view of its memory.  A Function records the versions of the tensors its
   backward reads; backward refuses to run if one has changed since (see
   ``Function.check_saved_versions``).  This holds under ``no_grad()`` too, so an
   optimizer step that changes weights a pending backward still needs is caught.
   Writes through ``.data`` or the raw ``.array`` are not counted: that is the
   documented way out.
2. **A change that gradients must flow through is recorded.**  When grad mode is
   on and the tensor or the new value requires grad, ``x.add_(y)`` computes
   ``x + y`` with the ordinary ops, writes the result into x's memory, and makes
   x the output of that last op, as if ``x = x + y`` had rebound the name but
   keeping the memory (and every other name of it).  ``z[i] = v`` is recorded as
   one ``IndexPut`` node (PyTorch's CopySlices): the gradient reaches ``v`` and
   the part of ``z`` that was not overwritten.
3. **A leaf that requires grad cannot be changed in place while grad mode is
   on**, nor can a view of one: its gradient would no longer be defined.

A write into a view (``x[0].add_(w)``) is a write into its base at the view's
positions, recorded on the base; the view then becomes a view of the new base.
"""
import numpy

from . import backend
from .function import refresh_view
from .grad_mode import STATE, no_grad
from .ops import elementwise
from .ops import shape as shape_ops
from .tensor import Tensor


def modify(target, name, compute, operands=(), reads_old=True):
    """Replace target's values by ``compute(target)``, in place; return target.

    ``compute`` builds the new values out of place with Tensor ops; ``operands``
    are the other tensors it uses (to know whether gradients flow).  With
    ``reads_old`` the backward of ``compute`` reads the old values, so it is given
    a copy of them (otherwise the write would change what it reads).
    """
    _check_writable(target, name)
    if not _records(target, operands):
        with no_grad():
            new = compute(target)
        _write(target, new, name)
        target._bump_version()
        return target
    _check_not_leaf(target, name)
    if target._view is not None:
        return _modify_view(target, name, compute, reads_old)
    old = target.clone() if reads_old else target
    new = compute(old)
    _write(target, new, name)
    target._bump_version()
    _take_place(target, new)
    return target


def fill(target, value, name):
    """target[...] = value, for a number or a one-element tensor (fill_, zero_)."""
    if isinstance(value, Tensor) and value.numel() != 1:
        raise RuntimeError(f"{name}: only a one-element tensor can fill a tensor, got shape "
                           f"{tuple(value.shape)}")
    return assign(target, Ellipsis, value, name)


def copy(target, source):
    """target.copy_(source): source's values, broadcast to target's shape and cast.
    Recorded like ``target[...] = source``: the old values get a zero gradient."""
    if not isinstance(source, Tensor):
        source = Tensor(backend.to_device(numpy.asarray(source), backend.device_of(target.array)))
    moved = source.to(backend.device_of(target.array))
    if moved.dtype != target.dtype and target.dtype.kind in "fc":
        moved = moved.to(dtype=target.dtype)
    return assign(target, Ellipsis, moved, "copy_")


def fill_random(target, name, draw):
    """normal_, uniform_...: new values ``draw(generator, shape)``, which no gradient reaches."""
    def drawn(old):
        xp = backend.get_array_module(old.array)
        values = draw(backend.rng(xp), old.shape)
        values = values.array if isinstance(values, Tensor) else values
        return Tensor(xp.asarray(values).astype(old.dtype, copy=False))
    return modify(target, name, drawn, reads_old=False)


def assign(target, index, value, name="item assignment"):
    """target[index] = value; returns target."""
    _check_writable(target, name)
    xp = backend.get_array_module(target.array)
    index = shape_ops.array_index(index, xp)
    if not _records(target, (value,)):
        target.array[index] = value.array if isinstance(value, Tensor) else value
        target._bump_version()
        return target
    _check_not_leaf(target, name)
    value = _as_tensor(value, target)
    if target._view is not None:
        return _modify_view(target, name, lambda old: shape_ops.index_put(old, index, value),
                            reads_old=False)
    new = shape_ops.IndexPut(index)(target, value)   # writes into target's memory
    target._bump_version()
    _take_place(target, new)
    return target


# ----------------------------------------------------------------------------
# The pieces
# ----------------------------------------------------------------------------
def _records(target, operands):
    """Whether this change must be recorded in the graph."""
    if not STATE.grad_enabled:
        return False
    if target._view is not None:
        refresh_view(target)
    return target.requires_grad or any(isinstance(t, Tensor) and t.requires_grad for t in operands)


def _check_not_leaf(target, name):
    if target._view is not None and target._view.base.requires_grad and target._view.base.is_leaf:
        raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is being used "
                           "in an in-place operation.")
    if target.requires_grad and target.is_leaf:
        raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def _check_writable(target, name):
    """Refuse writes where one memory location stands for several elements
    (an expand()ed tensor), as PyTorch does."""
    array = target.array
    if any(stride == 0 and size > 1 for stride, size in zip(array.strides, array.shape)):
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor "
            f"(shape {tuple(array.shape)}) refers to a single memory location; clone() it first")
    flags = getattr(array, "flags", None)
    if flags is not None and hasattr(flags, "writeable") and not flags.writeable:
        raise RuntimeError(f"{name}: the tensor's memory is read-only (shape {tuple(array.shape)}); "
                           "clone() it first")


def _write(target, new, name):
    """Copy ``new``'s values into target's memory."""
    _check_result(target, new, name)
    if new.array is not target.array:
        target.array[...] = new.array


def _check_result(target, new, name):
    """An in-place result must keep the target's shape and a dtype it can hold, as PyTorch."""
    if tuple(new.shape) != tuple(target.shape):
        raise RuntimeError(f"{name}: output with shape {tuple(target.shape)} doesn't match the "
                           f"broadcast shape {tuple(new.shape)}")
    if target.dtype.kind in "iub" and new.dtype.kind in "fc":
        raise RuntimeError(f"{name}: result type {new.dtype} can't be cast to the desired "
                           f"output type {target.dtype}")


def _take_place(target, new):
    """Make ``target`` the output of the op that made ``new`` (same values, target's memory)."""
    target.creator, target.output_index = new.creator, new.output_index
    target.requires_grad = new.requires_grad
    if new.creator is not None:
        new.creator.replace_output(new, target)


def _modify_view(view, name, compute, reads_old):
    """An in-place change of a view, recorded as a write into its base at the view's positions."""
    info = view._view
    base = info.base
    old = view.clone() if reads_old else view
    new = compute(old)
    _check_result(view, new, name)
    positions = _positions_in(base, info.make)
    written = shape_ops.IndexPut(positions)(base, new.to(dtype=base.dtype))
    base._bump_version()          # the view's counter too: they share it
    _take_place(base, written)
    refresh_view(view)
    return view


def _positions_in(base, make):
    """The index into ``base`` of each element of the view ``make(base)`` (an integer
    array index, one array per dim of base)."""
    xp = backend.get_array_module(base.array)
    flat = Tensor(xp.arange(base.array.size).reshape(base.array.shape))
    with no_grad():
        positions = make(flat).array
    return xp.unravel_index(positions, base.array.shape)


def _as_tensor(value, like):
    if isinstance(value, Tensor):
        return value
    return elementwise.constant_like(value, like)
