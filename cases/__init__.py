"""The built-in case library: one plain module per family, each defining CASES."""
