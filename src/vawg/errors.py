"""Errors the user can fix. The ``vawg`` command turns one into exit code 2 and a one-line message
on standard error, with no traceback (``docs/interfaces.md``, Exit codes)."""


class UserInputError(Exception):
    """The user's input is wrong: a missing file, a bad option value, a file that cannot be read."""
