"""Invertible maps y = f(x), for building distributions of f(X) (``TransformedDistribution``).

A transform knows f (``__call__``), its inverse (``inv``, itself a transform,
with ``t.inv.inv is t``) and log|det df/dx| at a pair (x, y)
(``log_abs_det_jacobian``), the correction a density needs under a change of
variables:  log p_Y(y) = log p_X(x) - log|det df/dx|.

``event_dim`` is how many rightmost dims form one event of the map: 0 for an
elementwise map (the log-Jacobian is per element), 1 when f mixes the entries
of a vector (the log-Jacobian is one number per vector).  For an elementwise
map given event_dim > 0, the per-element terms are summed over those dims.
"""
import math
import numbers

import numpy

from .. import backend
from ..ops.activation import sigmoid
from ..ops.activation import softplus as thresholded_softplus
from ..ops.shape import broadcast_to
from ..tensor import Size, Tensor
from . import constraints
from .utils import sum_rightmost


class Transform:
    event_dim = 0
    sign = None                 # +1 or -1 for a monotone elementwise map, when known
    domain = constraints.real
    codomain = constraints.real
    bijective = True

    def __init__(self):
        self._inverse_transform = None

    @property
    def inv(self):
        """The inverse map, as a transform; the same object on every access."""
        if self._inverse_transform is None:
            self._inverse_transform = _InverseTransform(self)
        return self._inverse_transform

    def __call__(self, x):
        return self._call(x)

    def _call(self, x):
        raise NotImplementedError(f"{type(self).__name__}: the forward map")

    def _inverse(self, y):
        raise NotImplementedError(f"{type(self).__name__}: the inverse map")

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError(f"{type(self).__name__}.log_abs_det_jacobian")

    def forward_shape(self, shape):
        """The shape of f(x) for x of ``shape``."""
        return shape

    def inverse_shape(self, shape):
        return shape

    def __repr__(self):
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """f^-1 for a transform f: its call is f's inverse, its log-Jacobian the negative of
    f's at the swapped pair."""

    def __init__(self, transform):
        self._inverse_transform = transform
        self.event_dim = transform.event_dim
        self.sign = transform.sign
        self.domain, self.codomain = transform.codomain, transform.domain

    @property
    def inv(self):
        return self._inverse_transform

    def _call(self, x):
        return self._inverse_transform._inverse(x)

    def _inverse(self, y):
        return self._inverse_transform._call(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._inverse_transform.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inverse_transform.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inverse_transform.forward_shape(shape)

    def __repr__(self):
        return f"{self._inverse_transform!r}.inv"


class AffineTransform(Transform):
    """y = loc + scale * x, elementwise (loc and scale broadcast against x).

        log|dy/dx| = log|scale|, summed over the last ``event_dim`` dims
    """

    def __init__(self, loc, scale, event_dim=0):
        super().__init__()
        self.loc, self.scale, self.event_dim = loc, scale, int(event_dim)
        if isinstance(scale, numbers.Real):
            self.sign = 1 if scale > 0 else -1 if scale < 0 else 0

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        if isinstance(self.scale, Tensor):
            log_scale = self.scale.abs().log()
            per_element = broadcast_to(log_scale, numpy.broadcast_shapes(x.shape, log_scale.shape))
        else:
            xp = backend.get_array_module(x.array)
            per_element = Tensor(xp.full(x.shape, math.log(abs(self.scale)), dtype=x.dtype))
        return sum_rightmost(per_element, self.event_dim)

    def forward_shape(self, shape):
        return Size(numpy.broadcast_shapes(tuple(shape), _shape_of(self.loc), _shape_of(self.scale)))

    def inverse_shape(self, shape):
        return self.forward_shape(shape)

    def __repr__(self):
        return f"AffineTransform(loc={self.loc!r}, scale={self.scale!r}, event_dim={self.event_dim})"


def _shape_of(value):
    return tuple(value.shape) if isinstance(value, Tensor) else ()


class SigmoidTransform(Transform):
    """y = sigmoid(x) = 1 / (1 + e^-x), from the reals onto (0, 1).

        log|dy/dx| = log(y (1 - y)) = -softplus(-x) - softplus(x)

    As PyTorch, y is clamped into [tiny, 1 - eps] so that the inverse,
    log(y) - log(1 - y), stays finite, and softplus is PyTorch's (x itself above
    x = 20, where the two differ by less than 3e-9)."""
    sign = 1
    codomain = constraints.unit_interval

    def _call(self, x):
        info = numpy.finfo(x.dtype)
        return sigmoid(x).clamp(float(info.tiny), 1 - float(info.eps))

    def _inverse(self, y):
        info = numpy.finfo(y.dtype)
        y = y.clamp(float(info.tiny), 1 - float(info.eps))
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -thresholded_softplus(-x) - thresholded_softplus(x)


class ExpTransform(Transform):
    """y = e^x, from the reals onto the positive numbers.

        log|dy/dx| = x"""
    sign = 1
    codomain = constraints.positive

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class ComposeTransform(Transform):
    """The maps in ``parts`` applied in order: y = f_k(...f_2(f_1(x))).

        log|det dy/dx| = sum over the parts of their log-Jacobians at the
                         intermediate values (each summed up to this event_dim)
    """

    def __init__(self, parts):
        super().__init__()
        self.parts = list(parts)
        self.event_dim = max((p.event_dim for p in self.parts), default=0)

    @property
    def inv(self):
        if self._inverse_transform is None:
            inverse = ComposeTransform([p.inv for p in reversed(self.parts)])
            inverse._inverse_transform = self
            self._inverse_transform = inverse
        return self._inverse_transform

    @property
    def sign(self):
        signs = [p.sign for p in self.parts]
        return None if None in signs else math.prod(signs)

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return Tensor(backend.get_array_module(x.array).zeros(x.shape, dtype=x.dtype))
        total = 0
        for index, part in enumerate(self.parts):
            after = y if index == len(self.parts) - 1 else part(x)
            total = total + sum_rightmost(part.log_abs_det_jacobian(x, after),
                                          self.event_dim - part.event_dim)
            x = after
        return total

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self):
        return f"ComposeTransform({self.parts!r})"


identity_transform = ComposeTransform([])
