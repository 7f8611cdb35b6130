"""Where formcheck's own files are: the package, the checkout it may run from, and the user's
folders (cache, data, config) where each operating system expects them.

The user's folders come from platformdirs: on Linux ~/.cache/formcheck, ~/.local/share/formcheck
and ~/.config/formcheck (or the XDG_* folders); on macOS ~/Library/Caches/formcheck and
~/Library/Application Support/formcheck; on Windows %LOCALAPPDATA%\\formcheck\\Cache and
%LOCALAPPDATA%\\formcheck. `FORMCHECK_HOME` moves all three under one folder (a portable or test
set-up). They are functions, not constants, so a changed environment is seen at once.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout root (sample_videos/, ../shared) when formcheck runs from a checkout (an editable
# install or PYTHONPATH); in a wheel install it is site-packages, where those folders do not exist.
CHECKOUT_DIR = PACKAGE_DIR.parent
IN_CHECKOUT = (CHECKOUT_DIR / "pyproject.toml").is_file()
# The clips shared beside the checkout (../shared/videos), where the developers keep them.
SHARED_VIDEOS = CHECKOUT_DIR.parent / "shared" / "videos"

APP_NAME = "formcheck"
HOME_ENV = "FORMCHECK_HOME"


def _user_dir(kind: str) -> Path:
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser() / kind
    # appauthor=False: no "formcheck\formcheck" nesting on Windows.
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return {"cache": dirs.user_cache_path, "data": dirs.user_data_path, "config": dirs.user_config_path}[kind]


def cache_dir() -> Path:
    """Things formcheck can make again: extracted tracks, downloaded packages."""
    return _user_dir("cache")


def data_dir() -> Path:
    """Things worth keeping: the history, models built on demand, fetched sample clips."""
    return _user_dir("data")


def config_dir() -> Path:
    """Files a user writes to set formcheck up (threshold files, plans)."""
    return _user_dir("config")
