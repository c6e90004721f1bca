"""The base class of every distribution: shapes, sampling, argument checks.

Shapes follow PyTorch.  A distribution object holds a batch of independent
distributions (``batch_shape``), each over events of ``event_shape`` (() for a
scalar distribution, (n,) for a distribution over vectors).  A draw of
``sample_shape`` has shape sample_shape + batch_shape + event_shape, and
``log_prob(x)`` returns one log-density per event: x's shape minus the event dims.

``rsample`` draws by reparameterisation (a differentiable function of the
parameters and of parameter-free noise), so gradients flow from the draw to the
parameters; ``sample`` draws outside the graph.  ``has_rsample`` says which a
distribution offers.

Parameters are checked when the distribution is made (and values when
``log_prob`` is called) unless ``validate_args=False``; a failed check raises a
ValueError naming the distribution, the parameter and the constraint.
"""
import functools

import numpy

from .. import backend
from ..grad_mode import no_grad, should_check_values
from ..ops.shape import broadcast_to
from ..tensor import Size, Tensor
from .utils import as_shape

lazy_property = functools.cached_property   # computed on first use, then kept on the object


class Distribution:
    """Base class: subclasses set their parameters as attributes, then call
    ``super().__init__(batch_shape, event_shape, validate_args)``, and write
    ``log_prob`` and whichever of rsample / sample / entropy / moments they have."""
    has_rsample = False
    arg_constraints = {}     # parameter name -> Constraint
    support = None           # the Constraint a value must satisfy
    _validate_default = True

    @staticmethod
    def set_default_validate_args(value):
        """Whether new distributions check their arguments (True by default)."""
        Distribution._validate_default = bool(value)

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = Distribution._validate_default if validate_args is None else validate_args
        # the parameters given to __init__ are attributes by now; the others are derived lazily
        self._given = tuple(name for name in self.arg_constraints if name in self.__dict__)
        if self._validate_args:
            self._check_arguments()

    @property
    def name(self):
        return type(self).__name__

    # -- shapes --------------------------------------------------------------
    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        """sample_shape + batch_shape + event_shape: the shape of a draw."""
        return Size(as_shape(sample_shape) + self._batch_shape + self._event_shape)

    # -- sampling ------------------------------------------------------------
    def rsample(self, sample_shape=()):
        raise NotImplementedError(
            f"{self.name} has no reparameterised sampler (rsample): its draws are not a "
            "differentiable function of its parameters; use sample()")

    def sample(self, sample_shape=()):
        """A draw outside the graph (no gradient): rsample under no_grad by default."""
        with no_grad():
            return self.rsample(sample_shape)

    # -- densities and moments -------------------------------------------------
    def log_prob(self, value):
        raise NotImplementedError(f"{self.name}.log_prob")

    def entropy(self):
        raise NotImplementedError(f"{self.name}.entropy")

    @property
    def mean(self):
        raise NotImplementedError(f"{self.name}.mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{self.name}.mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{self.name}.variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    # -- expand ----------------------------------------------------------------
    def expand(self, batch_shape):
        """The same distribution repeated over a larger ``batch_shape`` (parameters broadcast,
        not copied).  Works for distributions whose parameters are all in arg_constraints."""
        batch_shape = as_shape(batch_shape)
        if not self._given:
            raise NotImplementedError(f"{self.name}.expand")
        parameters = {}
        for name in self._given:
            value = self.__dict__[name]
            event_part = value.shape[len(self._batch_shape):]
            parameters[name] = broadcast_to(value, tuple(batch_shape) + tuple(event_part))
        new = type(self)(**parameters, validate_args=False)
        new._validate_args = self._validate_args
        return new

    # -- checks --------------------------------------------------------------
    def _check_arguments(self):
        """Check every parameter that was given against its constraint."""
        for name in self._given:
            value = self.__dict__[name]
            if isinstance(value, Tensor) and should_check_values(value.array):
                self._check(name, value, self.arg_constraints[name])

    def _check(self, name, value, constraint):
        ok = constraint.check(value.array)
        if bool(ok.all()):
            return
        bad = int((~ok).sum())
        first = ""
        if constraint.event_dim == 0:
            xp = backend.get_array_module(ok)
            offender = xp.broadcast_to(value.array, ok.shape)[~ok][0]
            first = f"the first is {offender.item()}; "
        verb = "is" if bad == 1 else "are"
        raise ValueError(f"{self.name}: {name} must be {constraint.description}, got {bad} of "
                         f"{ok.size} {constraint.unit} that {verb} not ({first}tensor of shape "
                         f"{tuple(value.shape)})")

    def _validate_sample(self, value):
        """Check a value given to log_prob: a Tensor, shaped to fit the batch and event
        shapes, inside the support."""
        if not self._validate_args:
            return
        if not isinstance(value, Tensor):
            raise ValueError(f"{self.name}: the value given to log_prob must be a Tensor, "
                             f"got {type(value).__name__}")
        event = tuple(self._event_shape)
        if event and tuple(value.shape[-len(event):]) != event:
            raise ValueError(f"{self.name}: the value's last dims must match event_shape {event}, "
                             f"got a value of shape {tuple(value.shape)}")
        try:
            numpy.broadcast_shapes(value.shape, tuple(self._batch_shape) + event)
        except ValueError:
            raise ValueError(f"{self.name}: a value of shape {tuple(value.shape)} does not "
                             f"broadcast with batch_shape + event_shape "
                             f"{tuple(self._batch_shape) + event}") from None
        if self.support is not None and should_check_values(value.array):
            self._check("the value", value, self.support)

    def __repr__(self):
        parts = []
        for name in getattr(self, "_given", ()):
            value = self.__dict__[name]
            if isinstance(value, Tensor):
                single = value.array.size == 1
                shown = value.array.reshape(()).item() if single else f"Size({list(value.shape)})"
                parts.append(f"{name}: {shown}")
        return f"{self.name}({', '.join(parts)})"
