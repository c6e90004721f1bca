"""torch.backends.cudnn: accepted flags (no cuDNN here)."""
benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available():
    return False
