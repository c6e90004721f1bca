"""A reference sum_to_shape: one dim at a time, from the left."""


def sum_to_shape(array, shape):
    shape = tuple(shape)
    lead = array.ndim - len(shape)           # dims broadcasting added in front
    for axis in range(array.ndim):
        was_broadcast = axis < lead or shape[axis - lead] == 1
        if was_broadcast and array.shape[axis] != 1:
            # every element along this axis is a copy of one element: add their gradients
            array = array.sum(axis=axis, keepdims=True)
    return array.reshape(shape)              # drops the leading dims, now of size 1
