"""formcheck's version, read from the installed package's metadata (pyproject.toml's version)."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version

from formcheck.paths import CHECKOUT_DIR


def package_version() -> str:
    """The installed distribution's version; a checkout run without installing (PYTHONPATH) has
    no metadata, so its pyproject.toml answers; "unknown" if neither exists."""
    try:
        return version("formcheck")
    except PackageNotFoundError:
        pass
    try:
        return tomllib.loads((CHECKOUT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"
