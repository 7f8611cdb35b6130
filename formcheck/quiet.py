"""Silence native libraries' log lines (FFmpeg, MediaPipe's graph) that a user cannot act on."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

# OpenCV's own warnings (e.g. "backend is generally available but can't be used") and FFmpeg's
# decoder chatter on a damaged file ("Invalid NAL unit size") stay quiet: formcheck reports a
# broken file itself, in one line. Must be set before cv2 is imported.
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Redirect file descriptor 2 for the duration; FORMCHECK_DEBUG=1 keeps it."""
    if os.environ.get("FORMCHECK_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
