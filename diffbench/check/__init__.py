"""`diffbench check`: score a student's gradient functions against the mpmath references."""
