"""A reference topological order: depth-first with an explicit stack, listing a
Function once everything it leads to is listed (post-order), then reversed."""


def topological_order(roots):
    post_order, seen = [], set()
    for root in roots:
        start = root.creator
        if start is None or start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(start.edges))]   # a Function, and the edges still to follow
        while stack:
            function, edges = stack[-1]
            for creator, _ in edges:
                if creator is not None and creator not in seen:
                    seen.add(creator)
                    stack.append((creator, iter(creator.edges)))
                    break
            else:   # every Function it leads to is listed: list it
                stack.pop()
                post_order.append(function)
    # reversed: each Function before those that made its inputs, so after its consumers
    return post_order[::-1]
