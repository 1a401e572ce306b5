"""A case module with a syntax error on line 3."""

def broken(o, x:
    return x
