"""Experiments on the tape's capabilities: Jacobian-mode crossover, Hutchinson's trace, checkpointing."""
