"""formcheck: a camera-based exercise form checker."""

from formcheck import quiet as _quiet  # noqa: F401 - sets native log levels before cv2 loads
from formcheck.version import package_version

# One version, pyproject.toml's: what `pip show formcheck` says, `--version` and report.json say.
__version__ = package_version()
