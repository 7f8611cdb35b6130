"""How fast the rules re-judge a cached track (smoothing included), against loading it.

Re-judging must not run the model: a threshold change on ten minutes of video should take well
under a second. Prints frames/s for each exercise on a real cached track and on a synthetic
ten-minute track.
"""

from __future__ import annotations

from common import REPO, best_of, clip, machine

from formcheck.exercises.plank import plank_pose
from formcheck.judging.session import judge_track, make_exercise
from formcheck.lab.synthetic import hold, make_track
from formcheck.pipeline.cache import TrackCache, track_file_name, video_digest
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.track import Track

CLIPS = {
    "plank": "plank/plank_forearm_side_front_prone_entry_tutorial.mp4",
    "side_plank": "side_plank/side_plank_crunch_woman_long_talking_intro.mp4",
    "glute_bridge": "glute_bridge/glute_bridge_two_performers_leapfitness_cuts.mp4",
    "superman": "superman/superman_swimmer_two_performers_leapfitness.mp4",
}


def main() -> None:
    print(f"rules benchmark ({machine()})")
    model = resolve_model("full")
    for exercise, rel in CLIPS.items():
        path = None
        for folder in TrackCache().dirs:
            candidate = folder / track_file_name(video_digest(clip(rel)), model)
            if candidate.is_file():
                path = candidate
                break
        if path is None:
            print(f"  {exercise:12} no cached track for {rel}: run `formcheck extract` first")
            continue
        load_s = best_of(lambda p=path: Track.load(p))
        track = Track.load(path)
        ex = make_exercise(exercise)
        judge_s = best_of(lambda t=track, e=ex: judge_track(t, e))
        print(
            f"  {exercise:12} {len(track):5d} frames: load {load_s * 1000:6.1f} ms, judge {judge_s * 1000:6.1f} ms "
            f"= {len(track) / judge_s:8.0f} frames/s ({track.duration_s:.0f} s of video)"
        )
    ten_minutes = make_track(hold(plank_pose(), 600.0), 30.0, jitter_px=1.0)
    path = ten_minutes.save(REPO / ".bench-10min.npz")
    load_s = best_of(lambda: Track.load(path))
    judge_s = best_of(lambda: judge_track(ten_minutes, make_exercise("plank")))
    path.unlink()
    print(
        f"  10 min at 30 fps (18000 frames, plank): load {load_s * 1000:.0f} ms, judge {judge_s * 1000:.0f} ms "
        f"= {18000 / judge_s:.0f} frames/s"
    )


if __name__ == "__main__":
    main()
