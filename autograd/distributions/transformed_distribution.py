"""The distribution of f(X) for an invertible f and a base distribution of X."""
from ..grad_mode import no_grad
from ..tensor import Size
from .distribution import Distribution
from .independent import Independent
from .transforms import ComposeTransform, Transform
from .utils import as_shape, sum_rightmost


class TransformedDistribution(Distribution):
    """Y = f(X) with X ~ ``base_distribution`` and f the ``transforms`` applied in order.

    By the change of variables, with x = f^-1(y) and x_0 = x, x_k = t_k(x_(k-1)):

        log p_Y(y) = log p_X(x) - sum_k log|det dt_k/dx (x_(k-1))|

    each log-Jacobian summed over the event dims it does not already cover.
    A transform with a larger event_dim than the base's events (an
    ``AffineTransform(..., event_dim=1)`` on a ``Normal``) makes the base's
    rightmost batch dims event dims (``Independent``); a transform whose
    parameters broadcast to a larger shape expands the base to it.
    """
    arg_constraints = {}

    def __init__(self, base_distribution, transforms, validate_args=None):
        if isinstance(transforms, Transform):
            transforms = [transforms]
        transforms = list(transforms)
        for t in transforms:
            if not isinstance(t, Transform):
                raise TypeError(f"TransformedDistribution: transforms must be Transform objects, "
                                f"got {type(t).__name__}")
        self.transforms = transforms
        chain = ComposeTransform(transforms)
        base_shape = Size(tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape))
        base_event_dim = len(base_distribution.event_shape)
        if chain.event_dim > len(base_shape):
            raise ValueError(f"TransformedDistribution: the transforms act on events of "
                             f"{chain.event_dim} dims, but the base distribution's draws have "
                             f"shape {tuple(base_shape)}")
        shape = Size(chain.forward_shape(base_shape))
        if shape != base_shape:   # the transforms' parameters broadcast the draws
            base_distribution = base_distribution.expand(shape[:len(shape) - base_event_dim])
        if chain.event_dim > base_event_dim:
            base_distribution = Independent(base_distribution, chain.event_dim - base_event_dim)
        self.base_dist = base_distribution
        event_dim = max(chain.event_dim, base_event_dim)
        super().__init__(shape[:len(shape) - event_dim], shape[len(shape) - event_dim:],
                         validate_args=validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def support(self):
        return self.transforms[-1].codomain if self.transforms else self.base_dist.support

    def rsample(self, sample_shape=()):
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def sample(self, sample_shape=()):
        with no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def log_prob(self, value):
        self._validate_sample(value)
        event_dim = len(self._event_shape)
        y, total = value, 0.0
        for t in reversed(self.transforms):
            x = t.inv(y)
            total = total - sum_rightmost(t.log_abs_det_jacobian(x, y), event_dim - t.event_dim)
            y = x
        base_event_dim = len(self.base_dist.event_shape)
        return total + sum_rightmost(self.base_dist.log_prob(y), event_dim - base_event_dim)

    def expand(self, batch_shape):
        shape = Size(as_shape(batch_shape) + self._event_shape)
        base_shape = ComposeTransform(self.transforms).inverse_shape(shape)
        base_batch = base_shape[:len(base_shape) - len(self.base_dist.event_shape)]
        new = TransformedDistribution(self.base_dist.expand(base_batch), self.transforms,
                                      validate_args=False)
        new._validate_args = self._validate_args
        return new

    def __repr__(self):
        return f"TransformedDistribution({self.base_dist!r}, {self.transforms!r})"
