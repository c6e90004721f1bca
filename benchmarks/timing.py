"""Timing helpers shared by the benchmarks.

The method, in four steps:

1. warm up every contender (caches, lazy imports, allocator pools);
2. choose, for each contender, how many calls fill one batch of about
   ``batch_seconds``, so that a batch is long next to the clock's resolution;
3. run ``rounds`` rounds; in each round every contender times one batch with
   ``time.perf_counter`` and records the mean microseconds per call.  The
   contenders take turns (A B, then B A, ...), so slow drift of the machine
   (frequency scaling, another process waking up) falls on all of them alike
   and none always runs first;
4. summarise each contender's samples by their median and interquartile range
   (IQR): the median ignores the odd round that a hiccup spoilt, the IQR says
   how much the rounds disagreed.

The garbage collector stays on while timing, since a training loop runs with it
on and creating many Python objects per step is part of what is measured.  But
the objects that exist before timing starts (all of torch and numpy, once both
are imported) are moved out of its sight with ``gc.freeze()``: otherwise a full
collection would scan them all, a cost neither library has when used alone.  A
``gc.collect()`` before each batch, cheap after the freeze, keeps garbage left
by one contender from being collected in the other's batch.

On a GPU the calls only queue work, so every function here takes an optional
``sync`` (e.g. ``torch.cuda.synchronize``): it is called before the clock
starts and before it is read, so a batch is timed until its last kernel ends.
Passing one sync per contender (``syncs``) keeps the other library's queue out
of each batch.
"""
import gc
import statistics
import time
from dataclasses import dataclass


@dataclass
class Summary:
    """Per-call time of one contender over all rounds, in microseconds."""
    median_us: float
    iqr_us: float
    samples_us: list


def time_batch(fn, calls, sync=None):
    """Mean microseconds per call of ``fn()`` over ``calls`` consecutive calls
    (with ``sync``: until the work they queued has finished)."""
    if sync is not None:
        sync()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    if sync is not None:
        sync()
    return (time.perf_counter() - start) / calls * 1e6


def warm_up(fn, seconds, sync=None):
    """Call ``fn()`` repeatedly for about ``seconds`` (at least once)."""
    end = time.perf_counter() + seconds
    fn()
    while time.perf_counter() < end:
        fn()
    if sync is not None:
        sync()


def calls_per_batch(fn, batch_seconds, sync=None):
    """How many calls of ``fn()`` take about ``batch_seconds`` (at least 1)."""
    calls = 1
    while True:
        per_call_us = time_batch(fn, calls, sync)
        if per_call_us * calls >= 0.2 * batch_seconds * 1e6:  # long enough to extrapolate
            return max(1, round(batch_seconds * 1e6 / per_call_us))
        calls *= 2


def time_interleaved(contenders, rounds, batch_seconds=0.02, warmup_seconds=0.3, syncs=None,
                     pause_seconds=0.0):
    """Time each of ``contenders`` (a dict name -> zero-argument function) in turns.

    ``syncs`` optionally maps a contender's name to its device's synchronize
    function.  Returns a dict name -> list of per-call microseconds, one entry
    per round.  ``pause_seconds`` of sleep before each batch let the worker
    threads of the contender that ran before (OpenBLAS's, torch's OpenMP pool)
    stop spinning, so that they do not take cores from the next one.
    """
    syncs = syncs or {}
    for name, fn in contenders.items():
        warm_up(fn, warmup_seconds, syncs.get(name))
    calls = {name: calls_per_batch(fn, batch_seconds, syncs.get(name))
             for name, fn in contenders.items()}
    samples = {name: [] for name in contenders}
    names = list(contenders)
    gc.collect()
    gc.freeze()
    try:
        for round_index in range(rounds):
            order = names if round_index % 2 == 0 else names[::-1]
            for name in order:
                gc.collect()
                if pause_seconds:
                    time.sleep(pause_seconds)
                samples[name].append(time_batch(contenders[name], calls[name], syncs.get(name)))
    finally:
        gc.unfreeze()
    return samples


def summarize(samples_us):
    """Median and interquartile range of a list of per-call times."""
    if len(samples_us) < 2:
        return Summary(samples_us[0], 0.0, list(samples_us))
    q1, median, q3 = statistics.quantiles(samples_us, n=4)
    return Summary(median, q3 - q1, list(samples_us))
