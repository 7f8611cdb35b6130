"""The one exception type for problems a user can cause and fix (bad file, bad config, no camera)."""


class FormcheckError(Exception):
    """A user-facing error: its message is one clear line, printed without a traceback."""


EXIT_ERROR = 1  # a user error, or input that ended early: one line on stderr
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM: what was seen is still written
