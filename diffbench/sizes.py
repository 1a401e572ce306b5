"""Expression sizes, counted one way everywhere: as a tree (no sharing) or as a DAG (each subexpression once).

A *node* is one sympy expression object as sympy's ``preorder_traversal`` would visit it: every symbol,
number, sum, product, power and function application. An *operation* is one arithmetic operation or
function application: an n-ary ``Add`` or ``Mul`` of k arguments is k - 1 operations, every other
non-atomic node (``Pow``, ``exp``, ``log``, ``Piecewise``, ...) is one, atoms (symbols, numbers) are none.
So 4*x*(1 - x), which sympy stores as Mul(4, x, Add(1, Mul(-1, x))), is 8 nodes and 4 operations.

- *Tree* counts (``tree_size``) count a subexpression each time it occurs: the size of the expression
  written out in full, which is what swells.
- *DAG* counts (``cse_size``) run sympy's ``cse`` and count its output as the DAG it encodes: each distinct
  node of the definitions and reduced expressions once, the replacement symbols x0, x1, ... being references to
  their definitions, not nodes of their own. The swell experiment counts every DAG representation this way
  (f shared, sympy's derivative after cse, AD over sympy), so they compare like with like.
Both counts visit each distinct subexpression once (sympy hash-conses: equal subexpressions hash equal), so
they stay fast on DAGs whose tree is huge.
"""
import sympy


def node_ops(expr) -> int:
    """Operations of one node, not counting its arguments'."""
    if expr.is_Atom:
        return 0
    if expr.is_Add or expr.is_Mul:
        return len(expr.args) - 1
    return 1


def _distinct(exprs) -> set:
    """Every distinct subexpression of exprs (atoms included), each once."""
    seen, stack = set(), [sympy.sympify(e) for e in exprs]
    while stack:
        expr = stack.pop()
        if expr in seen:
            continue
        seen.add(expr)
        stack.extend(arg for arg in expr.args if arg not in seen)
    return seen


def tree_size(exprs) -> tuple[int, int]:
    """(nodes, operations) of expressions written out as trees, summed; shared parts counted each time."""
    nodes, ops = {}, {}
    for expr in _post_order(_distinct(exprs)):  # arguments first, so each count is a sum of known counts
        nodes[expr] = 1 + sum(nodes[a] for a in expr.args)
        ops[expr] = node_ops(expr) + sum(ops[a] for a in expr.args)
    exprs = [sympy.sympify(e) for e in exprs]
    return sum(nodes[e] for e in exprs), sum(ops[e] for e in exprs)


def _post_order(distinct: set) -> list:
    """The distinct subexpressions ordered so that every expression comes after its arguments."""
    order, done = [], set()
    for root in distinct:
        if root in done:
            continue
        stack = [(root, False)]
        while stack:
            expr, expanded = stack.pop()
            if expr in done:
                continue
            if expanded:
                done.add(expr)
                order.append(expr)
                continue
            stack.append((expr, True))
            stack.extend((arg, False) for arg in expr.args if arg not in done)
    return order


def cse(exprs) -> tuple[list, list]:
    """sympy's cse without its canonical ordering.

    NB: cse's default order="canonical" sorts by tree node counts, which is exponential on a DAG (AD over
    sympy at n=12 took 21 s instead of 0.02 s); the replacements found are the same either way.
    """
    return sympy.cse(list(exprs), order="none")


def cse_size(exprs) -> tuple[int, int, int]:
    """(nodes, operations, number of shared subexpressions) of exprs after sympy's cse, counted as a DAG."""
    replacements, reduced = cse(exprs)
    return (*cse_output_size(replacements, reduced), len(replacements))


def cse_output_size(replacements, reduced) -> tuple[int, int]:
    """(nodes, operations) of a cse result: its definitions and reduced expressions as one DAG."""
    references = {symbol for symbol, _ in replacements}
    distinct = _distinct([rhs for _, rhs in replacements] + list(reduced))
    nodes = [e for e in distinct if e not in references]
    return len(nodes), sum(node_ops(e) for e in nodes)
