"""``tensor.register_hook(fn)``: see or replace the gradient flowing to a tensor.

PyTorch attaches such a hook to the node that made the tensor, so that it runs
on the tensor's whole gradient (summed over every use of the tensor, also uses
made before the hook was registered) before that node's backward.  So here:
``register_hook`` keeps the hook in the node's ``tensor_hooks`` (by output), and
the engine passes each output's gradient through ``gradients_after_hooks`` before
it calls the node's backward.  A hook may return a replacement gradient (of the
same shape) or None.

Limits: hooks on leaf tensors are refused, since a leaf's gradient goes straight
into ``.grad``; and ``retain_grad`` and ``autograd.grad(outputs, inputs)`` report
the gradient as it was before the hooks of that tensor ran.
"""
import collections

from .tensor import Tensor


class RemovableHandle:
    """``handle.remove()`` unregisters the hook."""
    _next_id = 0

    def __init__(self, registry):
        self.registry = registry
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self.registry.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


def register_hook(tensor, hook):
    if not callable(hook):
        raise TypeError(f"register_hook: a hook must be callable, got {type(hook).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't "
                           "require gradient")
    if tensor.creator is None:
        raise NotImplementedError(
            "register_hook: hooks on leaf tensors (parameters, inputs) are not supported by this "
            "engine, whose backward adds a leaf's gradient into .grad directly; hook a tensor "
            "computed from it (e.g. w * 1), or change p.grad after backward()")
    node, index = tensor.creator, tensor.output_index
    if node.tensor_hooks is None:
        node.tensor_hooks = collections.defaultdict(collections.OrderedDict)
    handle = RemovableHandle(node.tensor_hooks[index])
    node.tensor_hooks[index][handle.id] = hook
    return handle


def gradients_after_hooks(node, grad_outputs):
    """The gradients of ``node``'s outputs once each has passed through its hooks, in the
    order they were registered (the engine calls this before node's backward)."""
    grads = list(grad_outputs)
    for index, registered in node.tensor_hooks.items():
        for hook in list(registered.values()):
            if grads[index] is None:
                break
            replaced = hook(grads[index])
            if replaced is not None:
                grads[index] = _checked(replaced, grads[index])
    return grads


def _checked(replaced, grad):
    if not isinstance(replaced, Tensor):
        raise TypeError(f"register_hook: a hook must return a Tensor or None, got "
                        f"{type(replaced).__name__}")
    if replaced.shape != grad.shape:
        raise RuntimeError(f"register_hook: a hook returned a gradient of shape "
                           f"{tuple(replaced.shape)} for a tensor of shape {tuple(grad.shape)}")
    return replaced
