"""A reference backward pass: a table of the gradients arrived so far, summed per
(Function, output), each Function's backward run once, at its turn in the order."""


def backward_pass(roots, root_grads, order, call_backward, add_to_leaf):
    arrived = {}   # (Function, output index) -> the sum of the gradients arrived there

    def route(creator, output_index, tensor, grad):
        if creator is None:
            add_to_leaf(tensor, grad)
        elif (creator, output_index) in arrived:
            arrived[creator, output_index] = arrived[creator, output_index] + grad
        else:
            arrived[creator, output_index] = grad

    for root, grad in zip(roots, root_grads):
        route(root.creator, root.output_index, root, grad)
    for function in order:
        grads = [arrived.pop((function, k), None) for k in range(len(function.outputs))]
        if all(g is None for g in grads):
            continue   # nothing reached it: no backward to run
        for creator, output_index, tensor, grad in call_backward(function, grads):
            route(creator, output_index, tensor, grad)
