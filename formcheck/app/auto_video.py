"""The annotated video of a whole workout: each set's frames drawn with its own judgement (the
panel names the exercise), the frames between sets with a banner saying none is recognised."""

from __future__ import annotations

import contextlib

import cv2
import numpy as np

from formcheck import interrupts
from formcheck.app.analyze import Drawn
from formcheck.errors import FormcheckError
from formcheck.judging.judgement import Judgement, judged_frame
from formcheck.outputs.annotate import draw_judged, shrunk, video_size
from formcheck.outputs.drawing import PANEL_FONT, unit
from formcheck.outputs.video import VideoSink
from formcheck.pipeline.sources import VideoFileSource, prefetch
from formcheck.progress import progress_bar
from formcheck.recognition.recognise import RecognisedSet, Recognition

BETWEEN_SETS = "No exercise recognised"


def _banner(image: np.ndarray, text: str) -> np.ndarray:
    u = unit(image.shape[1], image.shape[0])
    cv2.rectangle(image, (0, 0), (image.shape[1], int(44 * u)), (40, 40, 40), -1)
    cv2.putText(image, text, (int(12 * u), int(30 * u)), PANEL_FONT, 0.9 * u, (255, 255, 255), max(1, int(2 * u)))
    return image


def draw_sets(
    judged: list[tuple[RecognisedSet, Judgement]], recognition: Recognition, video, out, progress: bool
) -> tuple[Drawn, bool]:
    """Re-read the video and draw every frame; returns (what was drawn, interrupted)."""
    owner = np.full(recognition.n_frames, -1)
    for k, (recognised, _) in enumerate(judged):
        owner[recognised.start : recognised.stop] = k
    interrupted = False
    with VideoFileSource(video) as source:
        size, scale = video_size((source.info.width, source.info.height))
        sink = VideoSink(out, source.info.fps, size)
        error: str | None = None
        try:
            with (
                progress_bar(recognition.n_frames, f"draw {video.name}", enabled=progress) as bar,
                contextlib.closing(prefetch(source, prepare=lambda frame: shrunk(frame, size))) as frames,
            ):
                for frame in frames:
                    if frame.index >= recognition.n_frames:
                        break
                    if interrupts.requested():
                        interrupted = True
                        break
                    image = frame.image
                    k = owner[frame.index]
                    if k < 0:
                        sink.write(_banner(image, BETWEEN_SETS))
                    else:
                        recognised, judgement = judged[k]
                        one = judged_frame(judgement, frame.index - recognised.start)
                        if scale != 1.0:
                            one.xy = one.xy * scale
                        sink.write(draw_judged(image, one, judgement.exercise))
                    bar.update(1)
        except KeyboardInterrupt:
            interrupted = True
        except FormcheckError:  # the video broke while re-read: keep what was drawn
            pass
        finally:
            try:
                sink.close()
            except (FormcheckError, OSError) as exc:
                error = " ".join(str(exc).split()) or type(exc).__name__
    if error is not None:
        return Drawn(error=error), interrupted
    return Drawn(sink.codec, sink.frames), interrupted
