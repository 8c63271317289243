"""Errors that the command line reports as one clear line (problem and fix) and exit code 2."""


class MhtrainError(Exception):
    """A problem with the user's input, a spec or a file, stated with how to fix it."""


class SpecError(MhtrainError):
    """A scenario or calibration spec is malformed or unsourced."""
