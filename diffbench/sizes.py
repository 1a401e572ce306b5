"""Expression sizes, counted one way everywhere.

A *node* is one vertex of the expression tree as sympy's preorder traversal visits it: every
symbol, number and operation, with shared subexpressions counted each time they occur. An
*operation* is what sympy's count_ops counts (each +, *, /, ** or function application; an
n-ary sum of k terms counts k - 1). After cse the expressions form a DAG: each replacement is
counted once, and nodes/ops are summed over replacements and the reduced expressions.
"""
import sympy


def tree_size(exprs) -> tuple[int, int]:
    """(nodes, operations) of expressions as trees, summed."""
    exprs = list(exprs)
    nodes = sum(sum(1 for _ in sympy.preorder_traversal(e)) for e in exprs)
    ops = sum(int(sympy.count_ops(e)) for e in exprs)
    return nodes, ops


def cse_size(exprs) -> tuple[int, int, int]:
    """(nodes, operations, number of shared subexpressions) after common-subexpression elimination."""
    replacements, reduced = sympy.cse(list(exprs))
    nodes, ops = tree_size([rhs for _, rhs in replacements] + list(reduced))
    return nodes, ops, len(replacements)
