"""The files ``python -m autograd.exercises start NAME`` copies to the student."""
