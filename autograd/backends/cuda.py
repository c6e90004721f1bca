"""torch.backends.cuda: accepted flags (CuPy does not use TF32 unless asked)."""


class _MatmulFlags:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built():
    from ..devices import is_cuda_available
    return is_cuda_available()
