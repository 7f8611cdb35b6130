"""`formcheck live`: judge an exercise from a webcam (or a clip played as if live), with a window,
spoken cues and a report at the end.

    grabber (newest frame only) -> pose -> live phases (position, countdown, judging) -> display
                                                  `-> spoken cues        (window, on_frame, screenshot)

`options` (the command line), `loop` (the run and its sessions), `phases` (the judging stage),
`display` (what is shown), `cues` (what is said), `window` (the OpenCV window), `results`.
"""

from formcheck.app.live.cues import spoken_cues
from formcheck.app.live.loop import live_session
from formcheck.app.live.results import FrameInfo, LiveResult

__all__ = ["FrameInfo", "LiveResult", "live_session", "spoken_cues"]
