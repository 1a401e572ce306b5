"""diffbench: measure how good each way of getting a derivative is."""
__version__ = "0.1.0"
