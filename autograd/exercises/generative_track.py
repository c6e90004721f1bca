"""The generative track: the generative models' own mathematics, forward and backward.

(Being written: the exercises are added here.)
"""
GENERATIVE_EXERCISES = []
