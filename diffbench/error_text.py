"""How an exception reads in a record: "Type: message", or "Type (no message)" where it was raised without one."""


def error_text(error: BaseException) -> str:
    """The error's type and message; mpmath's ZeroDivisionError and a bare `raise ValueError` have no message."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else f"{type(error).__name__} (no message)"
