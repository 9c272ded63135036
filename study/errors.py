"""Errors a researcher can act on; the command line prints them without a traceback."""


class UserError(Exception):
    """Bad input from the user (a file, an option, a data set).

    The message says what was wrong, where, and what to do. The command line
    prints it and exits with code 2.

    >>> str(UserError("data.csv: column 'attitude' is missing"))
    "data.csv: column 'attitude' is missing"
    """
