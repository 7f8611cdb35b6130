"""formcheck: a camera-based exercise form checker."""

__version__ = "0.1.0"
