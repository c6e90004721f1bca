"""Training runs shared by every model family: run folders, the step loop,
checkpoints and resuming (run.py), and the families themselves (gan.py, ...)."""
