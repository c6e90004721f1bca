"""A reference record_graph: the links read from the inputs now, the outputs
held weakly."""
import weakref


def record_graph(function, inputs, outputs):
    inputs = tuple(inputs)
    # now, not at backward time: an in-place op may give an input a new creator later
    function.edges = tuple((tensor.creator, tensor.output_index) for tensor in inputs)
    function.needs_input_grad = tuple(tensor.requires_grad for tensor in inputs)
    function.inputs = inputs
    function.outputs = []
    for position, tensor in enumerate(outputs):
        tensor.creator = function
        tensor.output_index = position
        # weak: the output holds the Function, so a strong link back would be a cycle
        function.outputs.append(weakref.ref(tensor))
