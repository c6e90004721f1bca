"""nn.utils: gradient clipping, parameters as one vector, weight_norm and spectral_norm."""
import math

from .. import backend
from ..grad_mode import no_grad
from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    Returns the total norm before clipping (as a 0-d Tensor), like PyTorch.  The
    norm and the scale stay arrays on the gradients' device: turning them into
    Python numbers would make the host wait for the GPU at every step.  Hence
    every gradient is multiplied by min(1, max_norm / norm), which is exactly 1
    (and changes nothing) when the norm is within the limit.
    """
    # a list: parameters is often a generator (model.parameters()), read twice below
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad.array for p in parameters if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    xp = backend.get_array_module(grads[0])
    norm_type = float(norm_type)
    if norm_type == math.inf:
        total = xp.stack([xp.abs(g).max() for g in grads]).astype(xp.float64).max()
    else:
        powers = xp.stack([(xp.abs(g) ** norm_type).sum() for g in grads]).astype(xp.float64)
        total = powers.sum() ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):  # the one wait for the GPU, when asked
        raise RuntimeError(f"clip_grad_norm_: the total gradient norm is {float(total)}")
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for p in parameters:
        if p.grad is not None:
            p.grad = Tensor(p.grad.array * scale.astype(p.grad.dtype))
    return Tensor(total)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            xp = backend.get_array_module(p.grad.array)
            xp.clip(p.grad.array, -clip_value, clip_value, out=p.grad.array)
            p.grad._bump_version()


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one 1-D tensor (differentiable)."""
    from ..ops.shape import cat, reshape
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    _check_one_device(parameters, "parameters_to_vector")
    return cat([reshape(p, (-1,)) for p in parameters], 0)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the next slice of the 1-D tensor ``vec`` (as PyTorch:
    the parameters then share vec's memory; no gradient flows)."""
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"vector_to_parameters: expected a 1-D Tensor, got "
                        f"{tuple(vec.shape) if isinstance(vec, Tensor) else type(vec).__name__}")
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    _check_one_device(parameters, "vector_to_parameters")
    total = sum(p.numel() for p in parameters)
    if total != vec.shape[0]:
        raise ValueError(f"vector_to_parameters: the parameters have {total} elements, the vector "
                         f"{vec.shape[0]}")
    start = 0
    for p in parameters:
        p.data = vec.array[start:start + p.numel()].reshape(p.shape)
        start += p.numel()


def _check_one_device(parameters, op):
    devices = {backend.device_of(p.array) for p in parameters}
    if len(devices) > 1:
        raise TypeError(f"{op}: found parameters on different devices {sorted(devices)}")


# ----------------------------------------------------------------------------
# Weight reparameterisations recomputed before each forward (a forward pre-hook)
# ----------------------------------------------------------------------------
def _norm_except_dim(v, dim):
    """The 2-norm of v over every dim but ``dim``, keeping dims (-1: over all, 0-d)."""
    from ..ops.reduce import norm
    if dim == -1:
        return norm(v)
    kept = dim % v.ndim
    return norm(v, 2, tuple(d for d in range(v.ndim) if d != kept), keepdim=True)


class WeightNorm:
    """w = g v / ||v|| (Salimans & Kingma, 2016), ||v|| over every dim but ``dim``."""

    def __init__(self, name, dim):
        self.name, self.dim = name, dim

    def compute_weight(self, module):
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Replace parameter ``name`` by ``name_g`` (its norm over every dim but ``dim``;
    dim=None: one norm over all) and ``name_v`` (its direction), from which ``name``
    is recomputed before each forward, as torch.nn.utils.weight_norm."""
    from .parameter import Parameter
    if dim is None:
        dim = -1
    weight = _parameter_to_reparameterise(module, name, "weight_norm", (WeightNorm, SpectralNorm))
    hook = WeightNorm(name, dim)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo weight_norm: ``name`` is a plain Parameter again, with the current value."""
    from .parameter import Parameter
    hook = _remove_hook(module, WeightNorm, name, "remove_weight_norm")
    weight = hook.compute_weight(module).detach()
    delattr(module, name)
    del module._parameters[name + "_g"], module._parameters[name + "_v"]
    setattr(module, name, Parameter(weight))
    return module


class SpectralNorm:
    """w = W / sigma(W), sigma the largest singular value of W seen as a matrix (dim
    ``dim`` first, the rest flattened), estimated by power iteration (Miyato et al.
    2018): in training, each forward first takes ``n_power_iterations`` steps
        v = normalize(W^T u),  u = normalize(W v)
    updating the buffers ``name_u`` and ``name_v``; then sigma = u^T W v.  In eval
    mode u and v are used as they are.  No gradient flows through u and v."""

    def __init__(self, name, n_power_iterations, dim, eps):
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def as_matrix(self, weight):
        if self.dim != 0:
            order = [self.dim] + [d for d in range(weight.ndim) if d != self.dim]
            weight = weight.permute(*order)
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration):
        from .functional import normalize
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = self.as_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.array[...] = normalize(matrix.T @ u, dim=0, eps=self.eps).array
                    u.array[...] = normalize(matrix @ v, dim=0, eps=self.eps).array
                u._bump_version()
                v._bump_version()
        # copies: the next forward's update must not change what this backward reads
        u, v = u.detach().clone(), v.detach().clone()
        sigma = u @ (matrix @ v)
        return weight / sigma

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide parameter ``name`` by its spectral norm before each forward, as
    torch.nn.utils.spectral_norm: it becomes ``name_orig``, with buffers ``name_u``
    and ``name_v`` (random unit vectors at first); dim defaults to 0, or 1 for the
    transposed convolutions (whose weight is (in, out, ...))."""
    from .conv import ConvTranspose1d, ConvTranspose2d
    from .parameter import Parameter
    from ..creation import randn
    from .functional import normalize
    weight = _parameter_to_reparameterise(module, name, "spectral_norm", (WeightNorm, SpectralNorm))
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) else 0
    hook = SpectralNorm(name, n_power_iterations, dim % weight.ndim, eps)
    rows, cols = hook.as_matrix(weight).shape
    with no_grad():
        u = normalize(randn(rows, dtype=weight.dtype, device=weight.device), dim=0, eps=eps)
        v = normalize(randn(cols, dtype=weight.dtype, device=weight.device), dim=0, eps=eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight if isinstance(weight, Parameter) else Parameter(weight))
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo spectral_norm: ``name`` is a plain Parameter holding the normalised weight."""
    from .parameter import Parameter
    hook = _remove_hook(module, SpectralNorm, name, "remove_spectral_norm")
    with no_grad():
        weight = hook.compute_weight(module, do_power_iteration=False)
    delattr(module, name)
    del module._parameters[name + "_orig"]
    del module._buffers[name + "_u"], module._buffers[name + "_v"]
    setattr(module, name, Parameter(weight.detach()))
    return module


def _parameter_to_reparameterise(module, name, op, kinds):
    for hook in module.__dict__.get("_forward_pre_hooks", {}).values():
        if isinstance(hook, kinds) and hook.name == name:
            raise RuntimeError(f"{op}: {type(module).__name__}.{name} already has a "
                               f"{type(hook).__name__} hook")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"{op}: {type(module).__name__} has no parameter {name!r} "
                         f"(its parameters: {sorted(k for k, p in module._parameters.items() if p is not None)})")
    return weight


def _remove_hook(module, kind, name, op):
    hooks = module.__dict__.get("_forward_pre_hooks", {})
    for key, hook in list(hooks.items()):
        if isinstance(hook, kind) and hook.name == name:
            del hooks[key]
            return hook
    raise ValueError(f"{op}: {kind.__name__} of {name!r} not found in {type(module).__name__}")
