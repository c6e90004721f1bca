"""Ops that move values around without changing them: reshape, permute,
broadcast, indexing, concatenation, splitting and padding.

Each backward moves the gradient back the same way: a reshape is undone by the
inverse reshape, a permutation by the inverse permutation, a broadcast by a sum
(``sum_to``), an index by scattering into zeros, a concatenation by a split.
None of them reads its input's values in backward (``saved_inputs = ()``).

Reshape, permute, broadcast, basic indexing and split return views: NumPy
arrays over the input's memory, as PyTorch's views share their base's storage.
``view_maker`` says how to make the same view of another tensor, which is how
a write into a view becomes a write into its base (``inplace.py``).
"""
import numbers

import numpy

from .. import backend
from ..function import Function, ShapeError
from ..tensor import Tensor


def shape_argument(args):
    """reshape(2, 3), reshape((2, 3)) and reshape([2, 3]) all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def normalize_dim(dim, ndim, op="op"):
    """A dim in [-ndim, ndim) -> [0, ndim), with an error naming the op if out of range."""
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims")
    return dim % size


def normalize_dims(dim, ndim, op="op"):
    """None -> all dims; an int or a sequence -> a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, numbers.Integral):
        dim = (dim,)
    if len(dim) == 0:
        return tuple(range(ndim))  # dim=() means every dim, as in PyTorch
    dims = tuple(sorted({normalize_dim(d, ndim, op) for d in dim}))
    return dims if ndim else ()  # a 0-d tensor accepts dim 0 or -1 and has nothing to reduce


# ----------------------------------------------------------------------------
# Reshape and permute
# ----------------------------------------------------------------------------
class ShapeOp(Function):
    """An op that moves values without reading them: backward needs only shapes."""
    saved_inputs, saves_outputs = (), False


class Reshape(ShapeOp):
    is_view = True

    def __init__(self, shape):
        self.shape = shape

    def view_maker(self, output_index):
        shape = self.shape
        return lambda t: reshape(t, shape)

    def forward(self, x):
        self.input_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.input_shape)

    def explain_error(self, arrays, err):
        x, = arrays
        return f"reshape: cannot view a tensor of shape {tuple(x.shape)} ({x.size} elements) as {self.shape}"


class Permute(ShapeOp):
    is_view = True

    def __init__(self, dims):
        self.dims = dims

    def view_maker(self, output_index):
        dims = self.dims
        return lambda t: Permute(dims)(t)

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, gy):
        inverse = [0] * len(self.dims)
        for position, dim in enumerate(self.dims):
            inverse[dim] = position  # dim `dim` moved to `position`: move it back
        return Permute(tuple(inverse))(gy)


def reshape(x, shape):
    shape = shape_argument((shape,)) if not isinstance(shape, tuple) else shape
    if shape == x.shape:
        return x
    return Reshape(shape)(x)


def view(x, *shape):
    return reshape(x, shape_argument(shape))


def permute(x, dims):
    dims = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} dims of shape {x.shape}")
    if dims == tuple(range(x.ndim)):
        return x
    return Permute(dims)(x)


def transpose(x, dim0, dim1):
    if x.ndim == 0:
        normalize_dim(dim0, 0, "transpose"), normalize_dim(dim1, 0, "transpose")
        return x
    dims = list(range(x.ndim))
    d0, d1 = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(x, dims)


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return reshape(x, (1,))
    start = normalize_dim(start_dim, x.ndim, "flatten")
    end = normalize_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                         f"for a tensor with {x.ndim} dims")
    merged = int(numpy.prod(x.shape[start:end + 1]))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


def squeeze(x, dim=None):
    if dim is None:
        return reshape(x, tuple(s for s in x.shape if s != 1))
    dims = normalize_dims(dim, x.ndim, "squeeze")
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x, dim):
    dim = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


# ----------------------------------------------------------------------------
# Broadcasting and its adjoint, summing back to a shape
# ----------------------------------------------------------------------------
class BroadcastTo(ShapeOp):
    is_view = True   # a read-only one: elements share memory (inplace.py refuses writes)

    def __init__(self, shape):
        self.shape = shape

    def view_maker(self, output_index):
        shape = self.shape
        return lambda t: broadcast_to(t, shape)

    def forward(self, x):
        self.input_shape = x.shape
        return backend.get_array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to(gy, self.input_shape)

    def explain_error(self, arrays, err):
        return f"expand: cannot broadcast shape {tuple(arrays[0].shape)} to {self.shape}"


def sum_to_shape(array, shape):
    """Undo broadcasting: the array of ``shape`` whose every element is the sum of
    the copies that broadcasting ``shape`` to ``array.shape`` made of it.

    Broadcasting aligns shapes on the right, adds dims in front, and repeats
    size-1 dims; so this sums over the leading ``array.ndim - len(shape)`` dims and
    over every dim where ``shape`` has size 1 and the array does not.  It is the
    gradient of a broadcast: each copy received a gradient, and the element they
    copied gets them all.  ``SumTo`` (and so every broadcasting op's backward)
    calls it: the engine track's exercise ``sum_to`` replaces it.
    """
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and array.shape[lead + i] != 1)
    summed = array.sum(axis=axes, keepdims=True) if axes else array
    return summed.reshape(shape)


class SumTo(ShapeOp):
    """Sum a broadcast array back to ``shape`` (``sum_to_shape``)."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.input_shape = x.shape
        return sum_to_shape(x, self.shape)  # looked up in this module at each call

    def backward(self, gy):
        return broadcast_to(gy, self.input_shape)


def broadcast_to(x, shape):
    shape = tuple(shape)
    if x.shape == shape:
        return x
    return BroadcastTo(shape)(x)


def sum_to(x, shape):
    if x.shape == shape:
        return x
    return SumTo(tuple(shape))(x)


def expand(x, sizes):
    """expand(-1, 4): -1 keeps a dim's size; new dims may be added in front."""
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes given for a tensor with {x.ndim} dims")
    if any(s == -1 for s in sizes[:lead]):
        raise ValueError(f"expand: -1 is not allowed for the new leading dims of {tuple(sizes)} "
                         f"(tensor of shape {x.shape})")
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def repeat(x, repeats):
    """Tile x: each dim d is repeated repeats[d] times (extra repeats add leading dims)."""
    if len(repeats) < x.ndim:
        raise ValueError(f"repeat: {len(repeats)} repeats given for a tensor with {x.ndim} dims")
    shape = (1,) * (len(repeats) - x.ndim) + x.shape
    interleaved = reshape(x, tuple(v for s in shape for v in (1, s)))
    tiled = broadcast_to(interleaved, tuple(v for r, s in zip(repeats, shape) for v in (r, s)))
    return reshape(tiled, tuple(r * s for r, s in zip(repeats, shape)))


# ----------------------------------------------------------------------------
# Indexing
# ----------------------------------------------------------------------------
def array_index(index, xp=numpy):
    """An index with Tensors and lists replaced by arrays of module ``xp``."""
    if isinstance(index, tuple):
        return tuple(array_index(i, xp) for i in index)
    # arrays are copied: a backward that uses the index must not see later changes to it
    if isinstance(index, Tensor):
        return xp.array(index.array)
    if isinstance(index, (list, range, numpy.ndarray)) or backend.is_cupy_array(index):
        return xp.array(index)
    return index


def _is_basic(index):
    """True when the index has only ints, slices, None and Ellipsis (no repeats possible)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (numbers.Integral, slice, type(None), type(Ellipsis))) or
               (hasattr(p, "dtype") and p.dtype == bool) for p in parts)


def _with_ellipsis(index):
    """The same basic index with a trailing ``...``, so that NumPy returns a 0-d view
    rather than a scalar when it picks one element."""
    return (index if isinstance(index, tuple) else (index,)) + (Ellipsis,)


class GetItem(ShapeOp):
    is_view = True   # with a basic index (ints, slices); an array index copies

    def __init__(self, index):
        self.index = index

    def view_maker(self, output_index):
        index = self.index
        return lambda t: GetItem(index)(t)

    def forward(self, x):
        self.input_shape = x.shape
        out = x[self.index]
        if not isinstance(out, type(x)):   # NumPy gives a scalar for a single element:
            out = x[_with_ellipsis(self.index)]   # ask for a 0-d view of it instead
        return out

    def backward(self, gy):
        return GetItemGrad(self.index, self.input_shape)(gy)


class GetItemGrad(ShapeOp):
    """The adjoint of indexing: scatter the gradient into zeros of the input's shape,
    adding where an integer-array index picked the same element twice."""

    def __init__(self, index, input_shape):
        self.index, self.input_shape = index, input_shape

    def forward(self, gy):
        xp = backend.get_array_module(gy)
        gx = xp.zeros(self.input_shape, dtype=gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy
        else:
            backend.scatter_add(gx, self.index, gy)
        return gx

    def backward(self, ggx):
        return getitem(ggx, self.index)


class IndexPut(ShapeOp):
    """base[index] = value, written into base's own memory: the node that ``z[i] = v``
    leaves in the graph (PyTorch's CopySlices).  The gradient of the result reaches
    ``value`` through the indexed region and ``base`` everywhere else."""

    def __init__(self, index):
        self.index = index

    def forward(self, base, value):
        self.value_shape = value.shape
        base[self.index] = value
        return base

    def backward_for(self, wanted, gy):
        g_base = index_put(gy, self.index, 0) if wanted[0] else None
        g_value = None
        if wanted[1]:
            region = getitem(gy, self.index)
            g_value = _sum_to_broadcast_source(region, self.value_shape)
        return g_base, g_value


def _sum_to_broadcast_source(grad, shape):
    """The gradient of a value of ``shape`` that NumPy broadcast to grad's shape when
    assigning (leading dims of size 1 may be dropped there, unlike in arithmetic)."""
    kept = tuple(shape)
    while len(kept) > grad.ndim and kept[0] == 1:
        kept = kept[1:]
    return reshape(sum_to(grad, kept), tuple(shape))


def index_put(x, index, value):
    """A copy of x with x[index] = value; differentiable in both x and value."""
    if not isinstance(value, Tensor):
        xp = backend.get_array_module(x.array)
        value = Tensor(xp.asarray(value, dtype=x.dtype))
    from .elementwise import clone   # elementwise imports this module, so not at the top
    return IndexPut(index)(clone(x), value)


def getitem(x, index):
    xp = backend.get_array_module(x.array)
    index = array_index(index, xp)
    try:
        return GetItem(index)(x)
    except IndexError as err:
        hint = "; a 0-d tensor has no dims to index: use tensor.item() for its value" if x.ndim == 0 else ""
        raise IndexError(f"getitem: {err} (tensor of shape {x.shape}){hint}") from err


# ----------------------------------------------------------------------------
# Joining and splitting
# ----------------------------------------------------------------------------
class Cat(ShapeOp):
    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        self.sizes = [x.shape[self.dim] for x in xs]
        return backend.get_array_module(xs[0]).concatenate(xs, axis=self.dim)

    def backward(self, gy):
        return tuple(split(gy, self.sizes, self.dim))

    def explain_error(self, arrays, err):
        shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
        return f"cat: tensors must have the same shape except in dim {self.dim}, got {shapes}"


class Split(ShapeOp):
    is_view = True

    def __init__(self, sizes, dim):
        self.sizes, self.dim = sizes, dim

    def view_maker(self, output_index):
        start = sum(self.sizes[:output_index])
        index = (slice(None),) * self.dim + (slice(start, start + self.sizes[output_index]),)
        return lambda t: GetItem(index)(t)

    def forward(self, x):
        self.input_dtype = x.dtype
        self.input_shape = x.shape
        bounds = numpy.cumsum(self.sizes)[:-1].tolist()
        return tuple(backend.get_array_module(x).split(x, bounds, axis=self.dim))

    def backward(self, *gys):
        xp = backend.get_array_module(next(g for g in gys if g is not None).array)
        pieces = []
        for g, size in zip(gys, self.sizes):
            if g is None:  # an output nobody used: its gradient is zero
                shape = self.input_shape[:self.dim] + (size,) + self.input_shape[self.dim + 1:]
                g = Tensor(xp.zeros(shape, dtype=self.input_dtype))
            pieces.append(g)
        return cat(pieces, self.dim)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    dim = normalize_dim(dim, tensors[0].ndim, "cat")
    if len(tensors) == 1:
        return tensors[0]
    return Cat(dim)(*tensors)


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors must have the same shape, got {[t.shape for t in tensors]}")
    dim = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t, dim) for t in tensors], dim)


def split(x, split_size_or_sections, dim=0):
    dim = normalize_dim(dim, x.ndim, "split")
    length = x.shape[dim]
    if isinstance(split_size_or_sections, numbers.Integral):
        step = int(split_size_or_sections)
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, length - start) for start in range(0, length, step)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length:
            raise ValueError(f"split: sections {sizes} do not add up to size {length} of dim {dim}")
    outputs = Split(sizes, dim)(x)
    return outputs if isinstance(outputs, tuple) else (outputs,)


def chunk(x, chunks, dim=0):
    length = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    return split(x, max(1, -(-length // chunks)), dim)


# ----------------------------------------------------------------------------
# Constant padding
# ----------------------------------------------------------------------------
class Pad(ShapeOp):
    """Pad with a constant; ``widths`` is one (before, after) pair per dim."""

    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, gy):
        crop = tuple(slice(before, size - after) for (before, after), size in zip(self.widths, gy.shape))
        return getitem(gy, crop)


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(x, pad, mode="constant", value=None):
    """PyTorch's order: pad = (left, right) for the last dim, then the one before it...

    mode 'constant' fills with ``value`` (0); the others take the new values from
    x itself, along each padded dim of size n (position p counts from the first
    element, so the padding before it has p < 0):
      'reflect'    mirrors at the edge elements, not repeating them: p -> |p|,
                   n - 1 + p -> n - 1 - p (the padding must be smaller than n);
      'replicate'  repeats the edge elements: p -> clip(p, 0, n - 1);
      'circular'   wraps around: p -> p mod n (the padding at most n).
    These three pad the last 1, 2 or 3 dims of a batch (N, C, ...) or of one
    sample (C, ...), as in PyTorch; the gradient adds up over the copies.
    """
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode must be one of {PAD_MODES}, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected pairs for at most {x.ndim} dims, got {tuple(pad)}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {tuple(pad)} is not supported")
    pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)]
    widths = tuple([(0, 0)] * (x.ndim - len(pairs)) + pairs[::-1])
    if mode == "constant":
        return Pad(widths, 0.0 if value is None else value)(x)
    if value not in (None, 0):
        raise ValueError(f"pad: value={value} is only for mode 'constant', not {mode!r}")
    if len(pairs) not in (1, 2, 3) or x.ndim not in (len(pairs) + 1, len(pairs) + 2):
        raise ShapeError(f"pad: mode {mode!r} with padding {tuple(pad)} for the last {len(pairs)} "
                         f"dim(s) needs a {len(pairs) + 1}-D or {len(pairs) + 2}-D input, got "
                         f"shape {tuple(x.shape)}")
    for dim, (before, after) in enumerate(widths):
        if before or after:
            x = index_select(x, dim, _pad_sources(mode, x.shape[dim], before, after, x, pad))
    return x


def _pad_sources(mode, n, before, after, x, pad):
    """For each position of the padded dim, the position in x it copies."""
    xp = backend.get_array_module(x.array)
    limit = n - 1 if mode == "reflect" else n
    if mode != "replicate" and max(before, after) > limit or n == 0:
        rule = "smaller than" if mode == "reflect" else "at most"
        raise ShapeError(f"pad: with mode {mode!r} the padding must be {rule} the size of the dim "
                         f"it pads: padding {tuple(pad)} for input of shape {tuple(x.shape)}")
    p = xp.arange(-before, n + after)
    if mode == "reflect":
        p = xp.abs(p)
        return xp.where(p > n - 1, 2 * (n - 1) - p, p)
    if mode == "replicate":
        return xp.clip(p, 0, n - 1)
    return p % n


# ----------------------------------------------------------------------------
# Reordering and picking: flip, roll, diag, gather
# ----------------------------------------------------------------------------
class Flip(ShapeOp):
    """Reverse the order along ``dims``; a copy (NumPy's flip is a view, PyTorch's a copy)."""

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return backend.get_array_module(x).flip(x, axis=self.dims).copy()

    def backward(self, gy):
        return Flip(self.dims)(gy)


def flip(x, dims):
    dims = normalize_dims(dims if isinstance(dims, (tuple, list)) else (dims,), x.ndim, "flip")
    return Flip(dims)(x) if dims else x.clone()


class Roll(ShapeOp):
    """Shift elements along ``dims`` by ``shifts``, wrapping around; undone by the opposite shift."""

    def __init__(self, shifts, dims):
        self.shifts, self.dims = shifts, dims

    def forward(self, x):
        return backend.get_array_module(x).roll(x, self.shifts, axis=self.dims)

    def backward(self, gy):
        return Roll(tuple(-s for s in self.shifts), self.dims)(gy)


def roll(x, shifts, dims=None):
    if dims is None:   # roll the flattened tensor, as PyTorch
        return reshape(roll(reshape(x, (-1,)), shifts, 0), x.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: got {len(shifts)} shifts for {len(dims)} dims")
    dims = tuple(normalize_dim(d, x.ndim, "roll") for d in dims)
    return Roll(tuple(int(s) for s in shifts), dims)(x)


class Diag(ShapeOp):
    """diag(v, k): a vector v becomes the k-th diagonal of a square matrix, and a
    matrix gives its k-th diagonal as a vector (a copy).  Each is the other's adjoint."""

    def __init__(self, offset):
        self.offset = offset

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.diag(x, self.offset).copy()

    def backward(self, gy):
        if self.inputs[0].ndim == 1:
            return Diag(self.offset)(gy)
        rows, cols = self.inputs[0].shape
        return _embed_diagonal(gy, self.offset, rows, cols)


def _embed_diagonal(values, offset, rows, cols):
    """A (rows, cols) matrix of zeros with ``values`` on its offset-th diagonal."""
    xp = backend.get_array_module(values.array)
    length = values.shape[0]
    start_row, start_col = max(-offset, 0), max(offset, 0)
    index = (xp.arange(length) + start_row, xp.arange(length) + start_col)
    zeros = Tensor(xp.zeros((rows, cols), dtype=values.dtype))
    return index_put(zeros, index, values)


def diag(x, diagonal=0):
    if x.ndim not in (1, 2):
        raise ShapeError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")
    return Diag(int(diagonal))(x)


class Gather(ShapeOp):
    """out[..., i, ...] = x[..., index[..., i, ...], ...] along ``dim`` (x and index of
    the same shape here; ``gather`` crops x first)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        return backend.get_array_module(x).take_along_axis(x, self.index, axis=self.dim)

    def backward(self, gy):
        return Scatter(self.dim, self.index, self.inputs[0].shape)(gy)


class Scatter(ShapeOp):
    """The adjoint of Gather: add each value into zeros at its index (repeats add up)."""

    def __init__(self, dim, index, shape):
        self.dim, self.index, self.shape = dim, index, shape

    def forward(self, values):
        xp = backend.get_array_module(values)
        out = xp.zeros(self.shape, dtype=values.dtype)
        backend.scatter_add(out, _full_index(self.index, self.dim, xp), values)
        return out

    def backward(self, ggx):
        return Gather(self.dim, self.index)(ggx)


def _full_index(index, dim, xp):
    """take_along_axis's index as a tuple of integer arrays that picks the same elements."""
    grids = list(xp.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def gather(x, dim, index):
    """torch.gather: index has x's number of dims and sizes at most x's in every
    dim but ``dim``; out has index's shape."""
    index_array = index.array if isinstance(index, Tensor) else index
    dim = normalize_dim(dim, x.ndim, "gather")
    if index_array.ndim != x.ndim:
        raise ShapeError(f"gather: index needs as many dims as the input ({x.ndim}), "
                         f"got index of shape {tuple(index_array.shape)}")
    if index_array.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got dtype {index_array.dtype}")
    if any(i > s for d, (i, s) in enumerate(zip(index_array.shape, x.shape)) if d != dim):
        raise ShapeError(f"gather: index of shape {tuple(index_array.shape)} is larger than the "
                         f"input of shape {x.shape} outside dim {dim}")
    if index_array.size and (index_array.min() < -x.shape[dim] or index_array.max() >= x.shape[dim]):
        raise IndexError(f"gather: index out of range for dim {dim} of size {x.shape[dim]}")
    crop = tuple(slice(None) if d == dim else slice(0, i) for d, i in enumerate(index_array.shape))
    cropped = getitem(x, crop) if index_array.shape != x.shape else x
    return Gather(dim, index_array % max(x.shape[dim], 1))(cropped)


def index_select(x, dim, index):
    """The entries of ``index`` (a 1-D integer tensor) along ``dim``, in that order."""
    index_array = index.array if isinstance(index, Tensor) else backend.get_array_module(x.array).asarray(index)
    if index_array.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D, got shape {tuple(index_array.shape)}")
    dim = normalize_dim(dim, x.ndim, "index_select")
    return getitem(x, (slice(None),) * dim + (index_array.reshape(-1),))


def narrow(x, dim, start, length):
    dim = normalize_dim(dim, x.ndim, "narrow")
    start = int(start) % x.shape[dim] if start < 0 else int(start)
    if start + length > x.shape[dim]:
        raise IndexError(f"narrow: start {start} + length {length} exceeds dim {dim} of size {x.shape[dim]}")
    return getitem(x, (slice(None),) * dim + (slice(start, start + int(length)),))


def unbind(x, dim=0):
    """The slices of x along dim, as views.  One Split and a squeeze per slice: its
    backward is one concatenation, where indexing each slice would give each its own
    backward writing into a zero tensor of x's whole shape (a recurrent layer's loop
    over time does this for every step)."""
    dim = normalize_dim(dim, x.ndim, "unbind")
    return tuple(reshape(piece, piece.shape[:dim] + piece.shape[dim + 1:])
                 for piece in split(x, 1, dim))


def movedim(x, source, destination):
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    source = [normalize_dim(d, x.ndim, "movedim") for d in source]
    destination = [normalize_dim(d, x.ndim, "movedim") for d in destination]
    order = [d for d in range(x.ndim) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return permute(x, order)


def tile(x, dims):
    dims = tuple(dims)
    if len(dims) < x.ndim:
        dims = (1,) * (x.ndim - len(dims)) + dims
    return repeat(x, dims)


def repeat_interleave(x, repeats, dim=None):
    """Each element (along ``dim``; of the flattened tensor if None) repeated ``repeats`` times."""
    if dim is None:
        x, dim = reshape(x, (-1,)), 0
    dim = normalize_dim(dim, x.ndim, "repeat_interleave")
    xp = backend.get_array_module(x.array)
    counts = repeats.array if isinstance(repeats, Tensor) else repeats
    index = xp.repeat(xp.arange(x.shape[dim]), counts)
    return index_select(x, dim, Tensor(index))


# ----------------------------------------------------------------------------
# More joining: hstack, vstack, dstack, meshgrid
# ----------------------------------------------------------------------------
def _at_least(x, ndim):
    """x with size-1 dims added as atleast_2d / atleast_3d do: (n,) -> (1, n) -> (1, n, 1)."""
    if x.ndim >= ndim:
        return x
    if x.ndim == 0:
        x = reshape(x, (1,))
    if x.ndim == 1 and ndim >= 2:
        x = reshape(x, (1,) + x.shape)
    if x.ndim == 2 and ndim == 3:
        x = reshape(x, x.shape + (1,))
    return x


def _tensor_list(tensors, op):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    return tensors


def hstack(tensors):
    """Join along dim 1, or along dim 0 when the tensors are 1-D (as torch.hstack)."""
    tensors = [_at_least(t, 1) for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """Join along dim 0 after making 1-D tensors rows (1, n)."""
    return cat([_at_least(t, 2) for t in _tensor_list(tensors, "vstack")], 0)


def dstack(tensors):
    """Join along dim 2 after making every tensor at least 3-D ((n,) -> (1, n, 1))."""
    return cat([_at_least(t, 3) for t in _tensor_list(tensors, "dstack")], 2)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: output i varies along dim i ('ij'), except that
    with 'xy' the first two dims are swapped (Cartesian, as NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise ShapeError(f"meshgrid: expected 0-D or 1-D tensors, got shape {tuple(t.shape)}")
    vectors = [reshape(t, (-1,)) for t in tensors]
    along = list(range(len(vectors)))       # the dim along which output i varies
    if indexing == "xy" and len(vectors) >= 2:
        along[0], along[1] = 1, 0
    shape = [0] * len(vectors)
    for v, d in zip(vectors, along):
        shape[d] = v.shape[0]
    grids = []
    for v, d in zip(vectors, along):
        varying = tuple(-1 if k == d else 1 for k in range(len(vectors)))
        grids.append(broadcast_to(reshape(v, varying), tuple(shape)))
    return tuple(grids)


# ----------------------------------------------------------------------------
# Selecting: masked_select, unique, diff
# ----------------------------------------------------------------------------
def _bool_array(mask, op):
    array = mask.array if isinstance(mask, Tensor) else mask
    if getattr(array, "dtype", None) != numpy.bool_:
        raise TypeError(f"{op}: expected a boolean mask, got "
                        f"{getattr(array, 'dtype', type(array).__name__)}")
    return array


def masked_select(x, mask):
    """The elements of x where ``mask`` is True, as a 1-D tensor (x and mask broadcast
    together); the gradient goes back to those elements."""
    mask_array = _bool_array(mask, "masked_select")
    xp = backend.get_array_module(x.array)
    try:
        shape = numpy.broadcast_shapes(x.shape, tuple(mask_array.shape))
    except ValueError:
        raise ShapeError(f"masked_select: mask of shape {tuple(mask_array.shape)} and input of "
                         f"shape {tuple(x.shape)} do not broadcast together") from None
    mask_array = xp.broadcast_to(xp.asarray(mask_array), shape)
    return getitem(broadcast_to(x, shape), mask_array)


def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values of x, sorted (no gradient, as in PyTorch); with
    ``return_inverse`` where each element of x is among them, with ``return_counts``
    how often each occurs (both int64).  With ``dim``, distinct slices along dim."""
    xp = backend.get_array_module(x.array)
    axis = None if dim is None else normalize_dim(dim, x.ndim, "unique")
    values, inverse, counts = xp.unique(x.array, return_inverse=True, return_counts=True, axis=axis)
    result = [Tensor(values)]
    if return_inverse:
        inverse_shape = x.shape if axis is None else (x.shape[axis],)
        result.append(Tensor(inverse.reshape(inverse_shape).astype(numpy.int64)))
    if return_counts:
        result.append(Tensor(counts.astype(numpy.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def diff(x, n=1, dim=-1, prepend=None, append=None):
    """out[i] = x[i + 1] - x[i] along ``dim``, applied ``n`` times; ``prepend`` and
    ``append`` are joined to x along dim first."""
    if x.ndim == 0:
        raise ShapeError("diff: expected at least 1-dimensional input, got a 0-d tensor")
    dim = normalize_dim(dim, x.ndim, "diff")
    pieces = [t for t in (prepend, x, append) if t is not None]
    x = cat(pieces, dim) if len(pieces) > 1 else x
    before = (slice(None),) * dim
    for _ in range(int(n)):
        if x.shape[dim] == 0:
            break
        x = getitem(x, before + (slice(1, None),)) - getitem(x, before + (slice(None, -1),))
    return x


# ----------------------------------------------------------------------------
# The scatter family: scatter, scatter_add, index_add, index_fill, masked_scatter.
# Each is out of place here; the in-place forms (scatter_, ...) in tensor_methods.py write
# the result through inplace.modify, which counts and records the change.
# ----------------------------------------------------------------------------
def _scaled(t, factor):
    return t if factor == 1 else t * factor


def _scatter_index(op, x, dim, index, src=None):
    """Check ``index`` for the scatter ops (as PyTorch: the same number of dims as x,
    no larger than src anywhere, nor than x outside ``dim``; values in range) and
    return dim and the raw index array, negative entries wrapped."""
    index_array = index.array if isinstance(index, Tensor) else index
    dim = normalize_dim(dim, x.ndim, op)
    if index_array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer (int64) tensor, got dtype {index_array.dtype}")
    if index_array.ndim != x.ndim:
        raise ShapeError(f"{op}: index needs as many dims as self ({x.ndim}), got index of shape "
                         f"{tuple(index_array.shape)} for self of shape {tuple(x.shape)}")
    if any(i > s for d, (i, s) in enumerate(zip(index_array.shape, x.shape)) if d != dim):
        raise ShapeError(f"{op}: index of shape {tuple(index_array.shape)} is larger than self of "
                         f"shape {tuple(x.shape)} outside dim {dim}")
    if src is not None and (src.ndim != x.ndim or
                            any(i > s for i, s in zip(index_array.shape, src.shape))):
        raise ShapeError(f"{op}: index of shape {tuple(index_array.shape)} needs a src with as many "
                         f"dims and at least as large, got src of shape {tuple(src.shape)}")
    if index_array.size and (int(index_array.min()) < -x.shape[dim] or
                             int(index_array.max()) >= x.shape[dim]):
        raise IndexError(f"{op}: index {int(index_array.max())} or {int(index_array.min())} is out "
                         f"of range for dim {dim} of size {x.shape[dim]}")
    xp = backend.get_array_module(x.array)
    return dim, xp.array(index_array) % max(x.shape[dim], 1)   # a copy: later changes don't matter


def _crop_to(t, shape):
    """The leading corner of t of the given shape (src may be larger than index)."""
    if tuple(t.shape) == tuple(shape):
        return t
    return getitem(t, tuple(slice(0, s) for s in shape))


def scatter(x, dim, index, src=None, value=None, reduce=None):
    """A copy of x with out[..., index[i], ...] = src[i] along ``dim`` (index and src of
    the same number of dims; src may be a number, or given as value=).  For repeated
    indices the value written is one of them, as in PyTorch.  Gradients: x's is the
    incoming gradient with the written places zeroed, src's is gathered from them."""
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if reduce == "add":
            return scatter_add(x, dim, index, src if src is not None else value)
        raise NotImplementedError("scatter: reduce='multiply' is not implemented")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: expected src (a tensor) or value (a number)")
    source = src if isinstance(src, Tensor) else None
    dim, index_array = _scatter_index("scatter", x, dim, index, source)
    xp = backend.get_array_module(x.array)
    positions = _full_index(index_array, dim, xp)
    if source is None:
        return index_put(x, positions, src)
    return index_put(x, positions, _crop_to(source.to(dtype=x.dtype), index_array.shape))


def scatter_add(x, dim, index, src):
    """x plus the values of src added at their index along ``dim`` (repeats add up)."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__}")
    dim, index_array = _scatter_index("scatter_add", x, dim, index, src)
    positions = _full_index(index_array, dim, backend.get_array_module(x.array))
    # GetItemGrad adds values into zeros at positions (the adjoint of picking them)
    added = GetItemGrad(positions, x.shape)(_crop_to(src.to(dtype=x.dtype), index_array.shape))
    return x + added


def _index_along(op, x, dim, index):
    """``dim`` checked and the index of a 1-D integer ``index`` along it, as a full index."""
    xp = backend.get_array_module(x.array)
    index_array = index.array if isinstance(index, Tensor) else xp.asarray(index)
    dim = normalize_dim(dim, x.ndim, op)
    if index_array.ndim > 1 or index_array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be a 1-D integer tensor, got shape "
                        f"{tuple(index_array.shape)} and dtype {index_array.dtype}")
    size = x.shape[dim] if x.ndim else 1
    if index_array.size and (int(index_array.min()) < -size or int(index_array.max()) >= size):
        raise IndexError(f"{op}: index out of range for dim {dim} of size {size}")
    return dim, (slice(None),) * dim + (xp.array(index_array.reshape(-1)) % max(size, 1),)


def index_add(x, dim, index, source, alpha=1):
    """x with alpha * source[i] added to x[..., index[i], ...] along ``dim`` (repeats
    add up); source has x's shape except index's length in dim."""
    dim, positions = _index_along("index_add", x, dim, index)
    expected = x.shape[:dim] + (len(positions[-1]),) + x.shape[dim + 1:]
    if tuple(source.shape) != expected:
        raise ShapeError(f"index_add: source must have shape {expected} for self of shape "
                         f"{tuple(x.shape)} and {len(positions[-1])} indices along dim {dim}, "
                         f"got {tuple(source.shape)}")
    added = GetItemGrad(positions, x.shape)(_scaled(source.to(dtype=x.dtype), alpha))
    return x + added


def index_fill(x, dim, index, value):
    """A copy of x with every slice x[..., index[i], ...] along ``dim`` set to ``value``
    (a number or a 0-d tensor, which then gets the gradient of those places)."""
    dim, positions = _index_along("index_fill", x, dim, index)
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(f"index_fill: value must be a number or a 0-d tensor, got shape "
                         f"{tuple(value.shape)}")
    return index_put(x, positions, value)


def masked_scatter(x, mask, source):
    """A copy of x whose elements where ``mask`` is True (broadcast to x's shape) are
    source's first elements, in row-major order."""
    mask_array = _bool_array(mask, "masked_scatter")
    xp = backend.get_array_module(x.array)
    try:
        mask_array = xp.broadcast_to(xp.asarray(mask_array), x.shape)
    except ValueError:
        raise ShapeError(f"masked_scatter: mask of shape {tuple(mask_array.shape)} does not "
                         f"broadcast to self of shape {tuple(x.shape)}") from None
    count = int(mask_array.sum())
    if source.numel() < count:
        raise ShapeError(f"masked_scatter: the mask selects {count} elements but source (shape "
                         f"{tuple(source.shape)}) has only {source.numel()}")
    values = getitem(reshape(source.to(dtype=x.dtype), (-1,)), slice(0, count))
    return index_put(x, xp.array(mask_array), values)
