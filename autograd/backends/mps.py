"""torch.backends.mps: Apple's GPUs are not a device of this engine."""


def is_available():
    return False


def is_built():
    return False
