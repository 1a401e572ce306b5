"""A well-behaved case next to the bad ones: its results must survive them."""
from diffbench.case import Case


def cube(o, x):
    return x * x * x


CASES = (Case(name="good_cube", fn=cube, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",),
              canonical=lambda: {"x": 1.5}),)
