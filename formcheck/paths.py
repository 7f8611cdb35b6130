"""Where formcheck's own files are: the package, and the checkout it was installed from."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout root (models/, sample_videos/); in a plain install this is site-packages.
CHECKOUT_DIR = PACKAGE_DIR.parent
# The clips shared beside the checkout (../shared/videos), where the developers keep them.
SHARED_VIDEOS = CHECKOUT_DIR.parent / "shared" / "videos"
