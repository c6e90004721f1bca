"""``torch.autograd.functional``: Jacobians, Hessians and their products with vectors,
composed from ``autograd.grad`` (one backward pass per output element for the
Jacobian; nothing is vectorised).

``inputs`` is a tensor or a tuple of tensors and ``func`` takes them as positional
arguments; the results have PyTorch's structure: for a tensor input and a tensor
output one tensor of shape output.shape + input.shape, and tuples where the
inputs or the outputs were tuples.  With ``create_graph=True`` the results can be
differentiated again; otherwise they are constants.
"""
from .autograd import grad
from .creation import zeros_like
from .grad_mode import enable_grad
from .ops.shape import reshape, stack
from .tensor import Tensor


def _as_tuple(value, op, what):
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for v in values:
        if not isinstance(v, Tensor):
            raise TypeError(f"{op}: the {what} of func must be Tensors, got {type(v).__name__}")
    return is_tuple, values


def _prepare(inputs, create_graph):
    """Inputs to differentiate with respect to: fresh leaves, unless the caller wants
    a graph back to the given tensors (create_graph with inputs that require grad)."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _grads(outputs, inputs, grad_outputs, create_graph):
    """d(outputs)/d(inputs) applied to grad_outputs, with zeros for unused inputs."""
    used = [o for o in outputs if o.requires_grad]
    if not used:
        return tuple(zeros_like(x) for x in inputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    found = grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True,
                 create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for g, x in zip(found, inputs))


def _finish(value, create_graph):
    return value if create_graph else value.detach()


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """J[i][j] = d outputs[i] / d inputs[j], each of shape outputs[i].shape + inputs[j].shape."""
    if strategy != "reverse-mode":
        raise NotImplementedError(f"jacobian: only strategy='reverse-mode' is implemented, got {strategy!r}")
    inputs_tuple, inputs = _as_tuple(inputs, "jacobian", "inputs")
    inputs = _prepare(inputs, create_graph)
    with enable_grad():
        outputs_tuple, outputs = _as_tuple(func(*inputs), "jacobian", "outputs")
        if strict:
            _check_strict(outputs, inputs, "jacobian")
        result = []
        for out in outputs:
            rows = []   # one gradient per element of out
            flat = reshape(out, (-1,))
            for k in range(flat.shape[0]):
                unit = zeros_like(flat)
                unit.array[k] = 1
                rows.append(_grads((out,), inputs, (reshape(unit, out.shape),), create_graph))
            per_input = []
            for j, x in enumerate(inputs):
                stacked = stack([r[j] for r in rows]) if rows else zeros_like(x).reshape(0, *x.shape)
                per_input.append(_finish(reshape(stacked, out.shape + x.shape), create_graph))
            result.append(tuple(per_input))
    return _structure(result, outputs_tuple, inputs_tuple)


def _check_strict(outputs, inputs, op):
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"{op}: output {i} of func does not depend on the inputs (strict=True)")


def _structure(result, outputs_tuple, inputs_tuple):
    if not inputs_tuple:
        result = [r[0] for r in result]
    else:
        result = [tuple(r) for r in result]
    return tuple(result) if outputs_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """H[i][j] = d^2 func / d inputs[i] d inputs[j] for a func with one-element output."""
    inputs_tuple, inputs = _as_tuple(inputs, "hessian", "inputs")

    def gradient(*xs):
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"hessian: func must return a single-element Tensor, got "
                               f"{tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__}")
        return _grads((out,), xs, (None,), create_graph=True)

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return result if inputs_tuple else result[0][0]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the output and its vector-Jacobian product."""
    inputs_tuple, inputs = _as_tuple(inputs, "vjp", "inputs")
    inputs = _prepare(inputs, create_graph)
    with enable_grad():
        outputs_tuple, outputs = _as_tuple(func(*inputs), "vjp", "outputs")
        if strict:
            _check_strict(outputs, inputs, "vjp")
        vs = _as_tuple(v, "vjp", "v")[1] if v is not None else (None,) * len(outputs)
        products = _grads(outputs, inputs, vs, create_graph)
    outputs = tuple(_finish(o, create_graph) for o in outputs)
    products = tuple(_finish(p, create_graph) for p in products)
    return (outputs if outputs_tuple else outputs[0]), (products if inputs_tuple else products[0])


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a func with one-element output."""
    inputs_tuple, inputs = _as_tuple(inputs, "vhp", "inputs")
    inputs = _prepare(inputs, create_graph)
    with enable_grad():
        out = func(*inputs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("vhp: func must return a single-element Tensor")
        first = _grads((out,), inputs, (None,), create_graph=True)
        vs = _as_tuple(v, "vhp", "v")[1]
        products = _grads(first, inputs, vs, create_graph)
    products = tuple(_finish(p, create_graph) for p in products)
    return _finish(out, create_graph), (products if inputs_tuple else products[0])


hvp = vhp   # the Hessian is symmetric: H v = (v^T H)^T
