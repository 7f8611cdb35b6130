"""The one exception type for problems a user can cause and fix (bad file, bad config, no camera)."""


class FormcheckError(Exception):
    """A user-facing error: its message is one clear line, printed without a traceback."""
