"""A progress bar that shows on a terminal and stays quiet in logs and pipes."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def progress_bar(total: int | None, desc: str, unit: str = "frame", enabled: bool = True) -> Any:
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        disable=not (enabled and sys.stderr.isatty()),
        leave=False,
        dynamic_ncols=True,
    )
