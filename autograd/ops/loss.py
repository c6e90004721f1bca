"""Loss functions with PyTorch's names and meanings (``torch.nn.functional``).

Every loss first computes one value per element (or per sample), then reduces
them as ``reduction`` says: "mean" averages, "sum" adds up, "none" returns them
all.  Anything else is a ValueError.

Most losses are compositions of existing ops (sub, mul, abs, softplus,
log_softmax, sum), so their gradients and second derivatives come for free.
Two small Functions exist because PyTorch's numbers differ from the plain
formula at the edges:

* ``BinaryCrossEntropy``: the logs are clamped at -100 so that p = 0 or 1
  gives a finite loss, and the gradient divides by max(p (1 - p), 1e-12) so it
  stays finite there too (PyTorch's formula, matched exactly);
* ``ClampedLog``: max(log x, -100) with the derivative of that clamped value,
  used by the above for the target's gradient.

Arguments: PyTorch still accepts the deprecated ``size_average`` and ``reduce``
between its other arguments; these functions do not, and take the arguments
after ``weight`` by keyword only, so that a positional call cannot mean
something different here than in PyTorch.

Shapes: where PyTorch broadcasts a target of another shape with a warning
(mse_loss, l1_loss), these losses refuse with an error that names both shapes.
"""
import math
import numbers

import warnings

import numpy

from .. import backend
from ..function import Function, ShapeError
from ..grad_mode import should_check_values
from ..tensor import Tensor
from . import activation, elementwise
from . import reduce as reductions
from .shape import unsqueeze

REDUCTIONS = ("mean", "sum", "none")
LOG_FLOOR = -100.0        # PyTorch clamps log(p) at -100 in binary_cross_entropy
# ... and divides its gradient by max(p (1 - p), 1e-12), where 1e-12 is a float32 constant
GRAD_EPSILON = float(numpy.float32(1e-12))    # 9.99999996e-13


# ----------------------------------------------------------------------------
# Checks and reduction, shared by every loss
# ----------------------------------------------------------------------------
def _check_reduction(loss, reduction, size_average=None, reduce=None):
    """The reduction to apply; old PyTorch code says size_average=False (a sum) or
    reduce=False (no reduction) instead, which PyTorch still accepts."""
    if size_average is not None or reduce is not None:
        warnings.warn(f"{loss}: size_average and reduce are deprecated (as in PyTorch); use "
                      "reduction='mean', 'sum' or 'none'", UserWarning, stacklevel=3)
        if reduce is not None and not reduce:
            reduction = "none"
        else:
            reduction = "sum" if size_average is not None and not size_average else "mean"
    if reduction not in REDUCTIONS:
        raise ValueError(f"{loss}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _check_same_shape(loss, input, target):
    if input.shape != target.shape:
        raise ShapeError(f"{loss}: input and target must have the same shape, got input "
                         f"{input.shape} and target {target.shape} (they are not broadcast)")


def _broadcast_pair(loss, input, target):
    """input and target broadcast together, with PyTorch's warning when their shapes
    differ (an (N, 1) output against an (N,) target is a common silent bug)."""
    if input.shape != target.shape:
        warnings.warn(f"{loss}: using a target size {tuple(target.shape)} that is different to "
                      f"the input size {tuple(input.shape)}; this will likely lead to incorrect "
                      "results due to broadcasting", UserWarning, stacklevel=3)
    return input, target


def _reduce(losses, reduction):
    if reduction == "mean":
        return reductions.mean(losses)
    if reduction == "sum":
        return reductions.sum(losses)
    return losses


def _check_broadcasts_to(loss, name, tensor, shape):
    try:
        fits = numpy.broadcast_shapes(tensor.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{loss}: {name} of shape {tensor.shape} does not broadcast to the "
                         f"input shape {shape}")


def _constant_weight(loss, name, weight, shape):
    """``weight`` as a constant (no gradient, as in PyTorch) that broadcasts to ``shape``."""
    _check_broadcasts_to(loss, name, weight, shape)
    return weight.detach()


# ----------------------------------------------------------------------------
# Regression losses
# ----------------------------------------------------------------------------
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Squared error (input - target)^2, reduced.  Both get a gradient.

    Input and target must have the same shape: PyTorch broadcasts them with a
    warning (a (N, 1) output against a (N,) target becomes (N, N), silently
    wrong); this refuses with an error naming both shapes.
    """
    reduction = _check_reduction("mse_loss", reduction, size_average, reduce)
    input, target = _broadcast_pair("mse_loss", input, target)
    difference = input - target
    return _reduce(difference * difference, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Absolute error |input - target|, reduced (gradient sign(input - target), 0 at 0).

    Input and target must have the same shape: PyTorch broadcasts them with a
    warning; this refuses with an error naming both shapes.
    """
    reduction = _check_reduction("l1_loss", reduction, size_average, reduce)
    input, target = _broadcast_pair("l1_loss", input, target)
    return _reduce(elementwise.abs(input - target), reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of ``target`` under N(input, var), up to a constant:

        loss = 0.5 (log(v) + (input - target)^2 / v),   v = max(var, eps)
        (+ 0.5 log(2 pi) when ``full``)

    ``var`` has the input's shape, or that shape without its last dim, or that
    shape with one size set to 1 (one variance shared along that dim), or is a
    number.  As in PyTorch the clamp at ``eps`` changes the value only: the
    gradient with respect to var passes as if no clamp were there.
    """
    reduction = _check_reduction("gaussian_nll_loss", reduction)
    _check_same_shape("gaussian_nll_loss", input, target)
    var = _variance_like(input, var)
    xp = backend.get_array_module(var.array)
    if should_check_values(var.array) and bool((var.array < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entries; variances must be >= 0")
    # v = var + (max(var, eps) - var): the clamped value, with d v / d var = 1 everywhere
    clamped = var + Tensor(xp.maximum(var.array, eps) - var.array)
    difference = input - target
    losses = (elementwise.log(clamped) + difference * difference / clamped) * 0.5
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)


def _variance_like(input, var):
    """``var`` as a Tensor that broadcasts against ``input`` (PyTorch's accepted shapes)."""
    if isinstance(var, numbers.Real) and not isinstance(var, bool):
        xp = backend.get_array_module(input.array)
        return Tensor(xp.full(input.shape, var, dtype=input.dtype))
    if var.shape == input.shape:
        return var
    if var.shape == input.shape[:-1]:          # one variance per row: (N, D) input, (N,) var
        return unsqueeze(var, -1)
    if var.ndim == input.ndim:
        mismatched = [i for i, (a, b) in enumerate(zip(input.shape, var.shape)) if a != b]
        if len(mismatched) == 1 and var.shape[mismatched[0]] == 1:
            return var
    raise ShapeError(f"gaussian_nll_loss: var of shape {var.shape} does not fit input of shape "
                     f"{input.shape}: expected {input.shape}, {input.shape[:-1]}, or "
                     f"{input.shape} with one size set to 1")


def kl_normal(mu_q, logvar_q, mu_p=None, logvar_p=None):
    """Elementwise KL(q || p) between normals q = N(mu_q, exp(logvar_q)) and
    p = N(mu_p, exp(logvar_p)); p is the standard normal N(0, 1) by default:

        KL = 0.5 (logvar_p - logvar_q + (exp(logvar_q) + (mu_q - mu_p)^2) / exp(logvar_p) - 1)
           = 0.5 (exp(logvar_q) + mu_q^2 - 1 - logvar_q)          for p = N(0, 1)

    No reduction: a VAE usually sums over the latent dims and averages over the
    batch, ``kl_normal(mu, logvar).sum(dim=1).mean()``.
    """
    if mu_q.shape != logvar_q.shape:
        raise ShapeError(f"kl_normal: mu_q and logvar_q must have the same shape, got "
                         f"{mu_q.shape} and {logvar_q.shape}")
    if mu_p is None and logvar_p is None:
        return (elementwise.exp(logvar_q) + mu_q * mu_q - 1 - logvar_q) * 0.5
    for name, value in (("mu_p", mu_p), ("logvar_p", logvar_p)):
        if value is not None:
            _check_broadcasts_to("kl_normal", name, value, mu_q.shape)
    mu_p = 0.0 if mu_p is None else mu_p
    logvar_p = 0.0 if logvar_p is None else logvar_p
    difference = mu_q - mu_p
    # (exp(lq) + d^2) / exp(lp) written as exp(lq - lp) + d^2 exp(-lp): no overflow in the ratio
    ratio = elementwise.exp(logvar_q - logvar_p) + difference * difference * elementwise.exp(-logvar_p)
    return (ratio - 1 + logvar_p - logvar_q) * 0.5


# ----------------------------------------------------------------------------
# Binary cross-entropy, on probabilities and on logits
# ----------------------------------------------------------------------------
def _clamped_log(array):
    """max(log(x), -100) on a raw array (log(0) = -inf is expected, then clamped)."""
    xp = backend.get_array_module(array)
    with numpy.errstate(divide="ignore"):
        return xp.maximum(xp.log(array), LOG_FLOOR)


def _clamped_log1m(array):
    """max(log(1 - x), -100), with log1p for accuracy when x is small."""
    xp = backend.get_array_module(array)
    with numpy.errstate(divide="ignore"):
        return xp.maximum(xp.log1p(-array), LOG_FLOOR)


class ClampedLog(Function):
    """max(log(x), -100).  Its derivative is 1/x where the clamp is not active, 0 where it is."""
    saves_outputs = False

    def forward(self, x):
        y = _clamped_log(x)
        self.inside = y > LOG_FLOOR
        return y

    def backward(self, gy):
        x = self.inputs[0]
        safe_x = elementwise.where(self.inside, x, 1.0)  # no division by 0 where clamped
        return elementwise.where(self.inside, gy / safe_x, 0.0)


class BinaryCrossEntropy(Function):
    """Elementwise -(t log(p) + (1 - t) log(1 - p)), each log clamped at -100.

    d/dp: PyTorch's (p - t) / max(p (1 - p), 1e-12).  Where p (1 - p) > 1e-12 this
          is -t/p + (1 - t)/(1 - p); at p = 0 or 1 it stays finite.
    d/dt: log(1 - p) - log(p) with the same clamped logs, the derivative of the
          value computed here (PyTorch's -logit(p) is the same except where a
          clamp is active, where it is infinite).
    """
    saves_outputs = False

    def forward(self, p, t):
        return -(t * _clamped_log(p) + (1 - t) * _clamped_log1m(p))

    def backward_for(self, wanted, gy):
        p, t = self.inputs
        gp = gt = None
        if wanted[0]:
            gp = gy * (p - t) / elementwise.clamp(p * (1 - p), min=GRAD_EPSILON)
        if wanted[1]:
            gt = gy * (ClampedLog()(1 - p) - ClampedLog()(p))
        return gp, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (t log(p) + (1 - t) log(1 - p)) for probabilities p = ``input`` in [0, 1].

    Each log is clamped at -100 as in PyTorch, so p = 0 or 1 gives a finite loss
    (at most 100 per element) and a finite gradient.  ``weight`` (broadcast to
    the input's shape) rescales each element and gets no gradient; the mean is
    over elements, whatever the weights.  For logits use
    ``binary_cross_entropy_with_logits``: it is more accurate.

    Input and target must have the same shape (PyTorch refuses other shapes
    too, or broadcasts them with a warning in older versions).
    """
    reduction = _check_reduction("binary_cross_entropy", reduction, size_average, reduce)
    _check_same_shape("binary_cross_entropy", input, target)
    if should_check_values(input.array) and input.array.size and bool(
            ((input.array < 0) | (input.array > 1)).any()):
        raise ValueError(f"binary_cross_entropy: input must hold probabilities in [0, 1], got values "
                         f"from {float(input.array.min()):g} to {float(input.array.max()):g}; for "
                         f"logits use binary_cross_entropy_with_logits")
    losses = BinaryCrossEntropy()(*elementwise.operands(input, target))
    if weight is not None:
        losses = losses * _constant_weight("binary_cross_entropy", "weight", weight, input.shape)
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of sigmoid(x) for logits x = ``input``, computed stably:

        loss = (1 - t) x + softplus(-x)            [softplus(-x) = -log sigmoid(x)]
             = max(x, 0) - x t + log1p(exp(-|x|))  (softplus's own stable form)

    so nothing overflows even for |x| = 1000.  ``pos_weight`` (broadcast along
    the last dims, e.g. one per class) multiplies the positive term:
    loss = (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x).  ``weight``
    rescales each element.  Neither weight gets a gradient (PyTorch refuses one).
    Input and target must have the same shape (PyTorch refuses other shapes too).
    """
    loss = "binary_cross_entropy_with_logits"
    reduction = _check_reduction(loss, reduction, size_average, reduce)
    _check_same_shape(loss, input, target)
    positive_term = activation.softplus(-input)                 # -log sigmoid(x)
    if pos_weight is not None:
        pos_weight = _constant_weight(loss, "pos_weight", pos_weight, input.shape)
        positive_term = positive_term * ((pos_weight - 1) * target + 1)
    losses = (1 - target) * input + positive_term
    if weight is not None:
        losses = losses * _constant_weight(loss, "weight", weight, input.shape)
    return _reduce(losses, reduction)


# ----------------------------------------------------------------------------
# Cross-entropy and negative log likelihood over classes
# ----------------------------------------------------------------------------
def _class_dim(input):
    """Where the classes are: (C,) has them in dim 0, (N, C, d1, ...) in dim 1."""
    return 0 if input.ndim == 1 else 1


def _check_class_target(loss, input, target, weight):
    if input.ndim == 0:
        raise ShapeError(f"{loss}: expected input of shape (C,), (N, C) or (N, C, d1, ...), "
                         f"got {input.shape}")
    class_dim = _class_dim(input)
    expected = input.shape[:class_dim] + input.shape[class_dim + 1:]
    if target.dtype.kind not in "iu":
        raise TypeError(f"{loss}: target must hold class indices (an integer tensor of shape "
                        f"{expected}), got dtype {target.dtype}; class probabilities are not supported")
    if target.shape != expected:
        raise ShapeError(f"{loss}: input of shape {input.shape} (classes in dim {class_dim}) needs a "
                         f"target of shape {expected}, got target {target.shape}")
    classes = input.shape[class_dim]
    if weight is not None and weight.shape != (classes,):
        raise ShapeError(f"{loss}: weight must have one entry per class, shape ({classes},), "
                         f"got {weight.shape}")


def _class_coefficients(loss, input, target, weight, ignore_index, label_smoothing):
    """The constant c with per-sample loss = -sum_k c[k] logp[k], and the mean's denominator.

    Without smoothing c = w[t] on the target class t and 0 elsewhere, so the loss
    is -w[t] logp[t].  With smoothing e, as in PyTorch:
        c = (1 - e) w[t] one_hot(t) + (e / C) w
    Samples whose target is ``ignore_index`` get c = 0.  The denominator of the
    mean is the sum of w[t] over the samples not ignored.
    """
    xp = backend.get_array_module(input.array)
    class_dim = _class_dim(input)
    classes = input.shape[class_dim]
    labels = xp.expand_dims(target.array, class_dim)           # (N, 1, d1, ...)
    kept = labels != ignore_index
    out_of_range = kept & ((labels < 0) | (labels >= classes))
    if should_check_values(labels) and bool(out_of_range.any()):
        bad = int(labels[out_of_range][0])
        raise IndexError(f"{loss}: target {bad} is out of bounds for {classes} classes "
                         f"(expected 0..{classes - 1}, or ignore_index={ignore_index})")
    class_ids = xp.arange(classes).reshape([-1 if d == class_dim else 1 for d in range(input.ndim)])
    weights = xp.ones(classes, dtype=input.dtype) if weight is None else weight.array.astype(input.dtype)
    weights = weights.reshape(class_ids.shape)                 # (1, C, 1, ...)
    selected = ((labels == class_ids) & kept) * weights        # w[t] on the target class
    coefficients = (1 - label_smoothing) * selected + (label_smoothing / classes) * kept * weights
    return coefficients.astype(input.dtype), selected.sum()


def _class_loss(loss, log_probs, target, weight, ignore_index, reduction, label_smoothing=0.0):
    _check_class_target(loss, log_probs, target, weight)
    coefficients, total_weight = _class_coefficients(loss, log_probs, target, weight, ignore_index,
                                                     label_smoothing)
    per_sample = -reductions.sum(log_probs * Tensor(coefficients), dim=_class_dim(log_probs))
    if reduction == "none":
        return per_sample
    total = reductions.sum(per_sample)
    if reduction == "sum":
        return total
    xp = backend.get_array_module(log_probs.array)
    with numpy.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan, as PyTorch
        return total / Tensor(xp.asarray(total_weight, dtype=log_probs.dtype))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood -w[t] input[t] for log-probabilities ``input``.

    input (C,), (N, C) or (N, C, d1, ...); target of class indices (), (N,) or
    (N, d1, ...).  Targets equal to ``ignore_index`` add nothing.  The mean is
    weighted: sum of the losses / sum of w[t] over the targets not ignored (so
    nan when every target is ignored), as in PyTorch.  The target gets no gradient.
    """
    reduction = _check_reduction("nll_loss", reduction, size_average, reduce)
    return _class_loss("nll_loss", input, target, weight, ignore_index, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean",
                  label_smoothing=0.0):
    """nll_loss(log_softmax(input over the class dim), target): cross-entropy from logits.

    With ``label_smoothing`` e the target class has probability 1 - e + e/C and
    every other class e/C; the weighted mean still divides by the sum of w[t].

    ``target`` may instead hold class probabilities, a float tensor of input's shape:
    then the loss of a sample is -sum_k w[k] p[k] log softmax(input)[k] (p smoothed
    to (1 - e) p + e / C), the mean divides by the number of samples, and the
    target gets a gradient too.
    """
    reduction = _check_reduction("cross_entropy", reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if target.dtype.kind == "f" and input.ndim > 0:
        return _soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    _check_class_target("cross_entropy", input, target, weight)
    log_probs = reductions.log_softmax(input, _class_dim(input))
    return _class_loss("cross_entropy", log_probs, target, weight, ignore_index, reduction,
                       label_smoothing)


def _soft_cross_entropy(input, target, weight, reduction, label_smoothing):
    """cross_entropy with class-probability targets (see cross_entropy)."""
    if target.shape != input.shape:
        raise ShapeError(f"cross_entropy: class-probability targets must have the input's shape "
                         f"{input.shape}, got target {target.shape} (class indices need an integer "
                         "tensor)")
    class_dim = _class_dim(input)
    classes = input.shape[class_dim]
    if weight is not None and weight.shape != (classes,):
        raise ShapeError(f"cross_entropy: weight must have one entry per class, shape ({classes},), "
                         f"got {weight.shape}")
    log_probs = reductions.log_softmax(input, class_dim)
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    products = log_probs * target
    if weight is not None:
        along_classes = [-1 if d == class_dim else 1 for d in range(input.ndim)]
        products = products * weight.detach().to(dtype=input.dtype).reshape(along_classes)
    per_sample = -reductions.sum(products, dim=class_dim)
    return _reduce(per_sample, reduction)   # the mean is over samples, whatever the weights


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || q) pointwise for log-probabilities ``input`` = log q:
        target (log target - input)                 (target as probabilities; 0 where it is 0)
        exp(target) (target - input)                (log_target: target as log-probabilities)
    reduced by 'mean' (over all elements, PyTorch's default, which is not the KL
    divergence), 'batchmean' (the sum divided by the batch size input.size(0): the
    KL divergence per sample), 'sum' or 'none'.  Both get a gradient."""
    if reduction == "batchmean":
        checked = "sum"
        if size_average is not None or reduce is not None:
            checked = _check_reduction("kl_div", "mean", size_average, reduce)
    else:
        checked = _check_reduction("kl_div", reduction, size_average, reduce)
    if reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divides the total loss by the batch size and the "
                      "support size; 'batchmean' divides only by the batch size, which is the KL "
                      "divergence (as PyTorch warns)", UserWarning, stacklevel=2)
    input, target = _broadcast_pair("kl_div", input, target)
    if log_target:
        losses = elementwise.exp(target) * (target - input)
    else:
        positive = target.array > 0
        # target log target is 0 where target is 0 (its limit), with no nan from log(0)
        safe_target = elementwise.where(positive, target, 1.0)
        losses = elementwise.where(positive, target * elementwise.log(safe_target), 0.0) - target * input
    if reduction == "batchmean" and checked == "sum":
        return reductions.sum(losses) / (input.shape[0] if input.ndim else 1)
    return _reduce(losses, checked)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, with d = input - target."""
    reduction = _check_reduction("smooth_l1_loss", reduction, size_average, reduce)
    input, target = _broadcast_pair("smooth_l1_loss", input, target)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    difference = input - target
    size = elementwise.abs(difference)
    losses = elementwise.where(size.array < beta, difference * difference * (0.5 / beta), size - 0.5 * beta)
    return _reduce(losses, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta): smooth_l1_loss times delta."""
    reduction = _check_reduction("huber_loss", reduction)
    input, target = _broadcast_pair("huber_loss", input, target)
    difference = input - target
    size = elementwise.abs(difference)
    losses = elementwise.where(size.array < delta, difference * difference * 0.5, (size - 0.5 * delta) * delta)
    return _reduce(losses, reduction)
