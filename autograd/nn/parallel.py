"""Data parallelism over processes: one batch, its gradient worked out on several CPU cores.

Many small models gain nothing from a second core: their matrix products are too
small for BLAS's threads, and NumPy's elementwise passes, where most of their time
goes, run on one thread.  Splitting the *batch* does use every core.  The gradient of
a mean loss over a batch is the mean of the gradients over equal parts of it, so

    main process:   loss(batch[0::k]).backward()    (its own share)
    helper i:       loss(batch[i::k]).backward()    (at the same time, i = 1..k-1)
    then:           param.grad = mean over the k processes

gives the gradient of the whole batch's loss.  The helpers are forked copies of the
main process, so they already hold the model and the loss function; each call sends
them the current weights and their share of the batch, and they send back their
gradients and loss.  Only the main process ever updates the weights: the optimiser,
gradient clipping and the rest of a training step are untouched.

    parallel = DataParallel(model.parameters(), lambda x: diffusion.loss(x), workers=2)
    optimizer.zero_grad()
    loss = parallel.backward(batch, seed=step)   # like diffusion.loss(batch).backward()
    optimizer.step()
    ...
    parallel.close()                             # or use it as a context manager

Random draws inside the loss (a diffusion model's t and noise) come from each
process's own generator: helper i seeds it from (seed, i) on every call, so a run is
reproducible and resumable without saving the helpers' state.

Each process does its matrix products on one BLAS thread.  OpenBLAS's threads wait
for work by spinning, so two processes with two threads each on two cores spend much
of their time taking the cores from each other: on the DDPM's U-Net a step took four
times as long.  ``threadpoolctl`` sets the limit, only while this module computes.

CPU only, and only where processes can be forked (Linux, macOS): a GPU is one device
and already runs the whole batch at once.
"""
import multiprocessing
import signal
import traceback
import weakref

import numpy

from .. import backend
from ..creation import manual_seed, tensor
from ..grad_mode import no_grad
from ..tensor import Tensor


class DataParallel:
    """Averages the gradient of ``loss_fn`` over ``workers`` processes, each given an
    equal share (every k-th item) of the batch.  ``workers=1`` runs in this process."""

    def __init__(self, parameters, loss_fn, workers=2):
        self.parameters = [p for p in parameters if p.requires_grad]
        self.loss_fn, self.workers = loss_fn, int(workers)
        if self.workers < 1:
            raise ValueError(f"DataParallel: workers must be at least 1, got {workers}")
        if self.workers > 1:
            self._check_can_fork()
        self._helpers = []   # (process, connection), started on the first backward
        self._blas = None    # threadpoolctl's handle on BLAS, made with the helpers

    def _check_can_fork(self):
        devices = {p.device for p in self.parameters}
        if devices != {"cpu"}:
            raise ValueError(f"DataParallel: worker processes share a CPU; the parameters are on "
                             f"{', '.join(sorted(devices))}")
        if "fork" not in multiprocessing.get_all_start_methods():
            raise ValueError("DataParallel: workers > 1 needs processes that can be forked "
                             "(Linux or macOS); use workers=1")

    # -- one step ------------------------------------------------------------
    def backward(self, batch, seed=0):
        """Sets every parameter's .grad to the gradient of the mean of ``loss_fn`` over the
        shares of ``batch`` (its first axis), replacing what was there; returns that mean
        loss as a float.  ``seed`` (an int or a tuple of ints) seeds the helpers' random
        draws for this call."""
        shares = self._shares(batch)
        for p in self.parameters:
            p.grad = None          # replaced, not accumulated: the same in one process or several
        if len(shares) == 1:
            loss = self.loss_fn(batch)
            loss.backward()
            return loss.item()
        self._start_helpers()
        weights = _flatten([p.array for p in self.parameters])
        for rank, (_, connection) in enumerate(self._helpers, start=1):
            connection.send((weights, shares[rank], seed))
        with self._blas.limit(limits=1, user_api="blas"):
            loss = self.loss_fn(tensor(shares[0]))
            loss.backward()
        losses, gradients = [loss.item()], [_flatten([_grad_array(p) for p in self.parameters])]
        for rank, (_, connection) in enumerate(self._helpers, start=1):
            helper_loss, helper_gradient = self._receive(connection, rank)
            losses.append(helper_loss)
            gradients.append(helper_gradient)
        self._set_gradients(numpy.mean(gradients, axis=0))
        return float(numpy.mean(losses))

    def _shares(self, batch):
        """Every k-th item of the batch, as NumPy arrays; equal sizes, since the gradient of a
        mean loss over the batch is the plain mean of the shares' gradients only then."""
        array = backend.to_numpy(batch.array if isinstance(batch, Tensor) else batch)
        if self.workers == 1:
            return [array]
        if len(array) % self.workers:
            raise ValueError(f"DataParallel: a batch of {len(array)} does not split into "
                             f"{self.workers} equal shares")
        return [array[rank::self.workers] for rank in range(self.workers)]

    def _receive(self, connection, rank):
        try:
            reply = connection.recv()
        except EOFError:
            self.close()
            raise RuntimeError(f"DataParallel: worker {rank} died") from None
        if reply[0] == "error":
            self.close()
            raise RuntimeError(f"DataParallel: worker {rank} failed:\n{reply[1]}")
        return reply[1], reply[2]

    def _set_gradients(self, flat):
        with no_grad():
            for p, values in zip(self.parameters, _unflatten(flat, self.parameters)):
                p.grad = tensor(values.astype(p.array.dtype, copy=False))

    # -- the helper processes --------------------------------------------------
    def _start_helpers(self):
        if self._helpers:
            return
        from threadpoolctl import ThreadpoolController   # only needed with helpers
        self._blas = ThreadpoolController()
        context = multiprocessing.get_context("fork")
        for rank in range(1, self.workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, self.parameters, self.loss_fn, rank),
                                      daemon=True, name=f"DataParallel-{rank}")
            process.start()
            theirs.close()
            self._helpers.append((process, ours))
        self._finalizer = weakref.finalize(self, _stop, list(self._helpers))

    def close(self):
        """Stops the helper processes (a later backward starts new ones)."""
        if self._helpers:
            self._finalizer()
            self._helpers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _serve(connection, parameters, loss_fn, rank):
    """A helper's loop: weights and a share in, gradient and loss out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the main process's to handle
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")    # for the rest of this process's life
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        weights, share, seed = message
        try:
            with no_grad():
                for p, values in zip(parameters, _unflatten(weights, parameters)):
                    p.array[...] = values
                    p.grad = None
            entropy = (*seed, rank) if isinstance(seed, tuple) else (seed, rank)
            manual_seed(int(numpy.random.SeedSequence(entropy).generate_state(1)[0]))
            loss = loss_fn(tensor(share))
            loss.backward()
            connection.send(("ok", loss.item(), _flatten([_grad_array(p) for p in parameters])))
        except Exception:   # send the failure to the main process, which raises it
            connection.send(("error", traceback.format_exc()))


def _stop(helpers):
    for process, connection in helpers:
        try:
            connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        connection.close()
    for process, _ in helpers:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()


def _grad_array(p):
    """p's gradient as an array; zeros where the loss did not reach p."""
    return p.grad.array if p.grad is not None else numpy.zeros(p.shape, p.array.dtype)


def _flatten(arrays):
    """One vector of all the arrays' values (in their common dtype), to send in one piece."""
    return numpy.concatenate([numpy.asarray(a).ravel() for a in arrays])


def _unflatten(flat, parameters):
    pieces, start = [], 0
    for p in parameters:
        size = int(numpy.prod(p.shape))
        pieces.append(flat[start: start + size].reshape(p.shape))
        start += size
    return pieces
