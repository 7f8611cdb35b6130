"""formcheck: a camera-based exercise form checker."""

__version__ = "0.1.0"

from formcheck import quiet as _quiet  # noqa: F401 - sets native log levels before cv2 loads
