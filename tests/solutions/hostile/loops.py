"""Hostile: loops forever (a time limit of 0 would mean no limit) and sleeps in another function."""
import time


def grad_logistic(x, n):
    while True:
        pass


def grad_trace_example(x1, x2):
    time.sleep(3600)
