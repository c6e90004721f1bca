"""Keeping freed memory for the next step, on the CPU (glibc's malloc).

A training step allocates the same large arrays every time (activations, im2col
columns, gradients) and frees them before the next step.  By default glibc hands
every block above a threshold (128 KiB, growing to at most 32 MiB) back to the
operating system when it is freed and asks for fresh pages the next time; each
fresh 4 KiB page then costs a page fault and a zeroing by the kernel.  Measured on
the default models: 4,700 page faults a DCGAN step and 21,000 a PixelCNN step
(40 ms of system time), against 30 and 3 when freed memory is kept.

``keep_freed_memory`` makes glibc serve such blocks from its heap and keep what is
freed there, for the next step to reuse: the CPU counterpart of the memory pool
CuPy keeps on a GPU.  The process's peak memory does not grow (the next step needs
the same sizes), but memory freed at the end of training stays with the process
until it exits.  ``import autograd`` calls it once; set the environment variable
``AUTOGRAD_KEEP_FREED_MEMORY=0`` to leave malloc as it is.  Elsewhere than Linux
with glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

# mallopt's parameter numbers, from glibc's malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

LARGEST_KEPT_BLOCK = 1 << 30     # blocks up to 1 GiB come from the heap, so are kept when freed
TRIM_THRESHOLD = 1 << 31         # give memory back only when 2 GiB are free at the heap's top

_done = False


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed blocks for reuse; True if it now does.  Idempotent."""
    global _done
    if _done:
        return True
    if os.environ.get("AUTOGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    # setting either one also stops glibc from raising the mmap threshold by itself
    _done = bool(libc.mallopt(M_MMAP_THRESHOLD, LARGEST_KEPT_BLOCK)
                 and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _done
