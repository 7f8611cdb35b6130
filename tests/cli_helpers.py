"""Running the `formcheck` command as a user would, and checking its errors are one clear line."""

from __future__ import annotations

import subprocess
import sys


def formcheck(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "formcheck.app.cli", *args], capture_output=True, text=True, timeout=900, **kwargs
    )


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The run failed with exactly one line on stderr and no traceback; returns that line."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]
