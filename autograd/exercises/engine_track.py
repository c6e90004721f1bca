"""The engine track: write the pieces of the autograd engine itself.

(Being written: the exercises are added here, each graded by running the engine's
own tests with the student's piece plugged in.)
"""
ENGINE_EXERCISES = []
