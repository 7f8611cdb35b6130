"""report.json is documented: every labelled clip's report validates against the schema that
ships in the package, the README documents every key and frames.csv column, and a clip never in
the chosen exercise's position says so."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import formcheck

from formcheck.app.analyze import AnalyzeOptions, judge_and_report
from formcheck.exercises import EXERCISES
from formcheck.judging.session import make_exercise
from formcheck.outputs.report import FRAME_COLUMNS, json_safe
from formcheck.outputs.schema import SCHEMA_FILE, report_problems, report_schema
from formcheck.pipeline.track import Track

REPO = Path(__file__).resolve().parents[1]
TRACKS = REPO / "sample_videos" / "tracks"
BRIDGE = "glute_bridge/glute_bridge_side_woman_darebee.mp4"


def committed_tracks() -> list[tuple[str, Path]]:
    with (TRACKS / "index.csv").open(encoding="utf-8") as f:
        return [(row["file"], TRACKS / row["track"]) for row in csv.DictReader(f)]


def report_of(clip: str, track_path: Path, exercise: str, variant: str = "") -> tuple[dict, str | None]:
    """The report `formcheck analyze` writes for this clip's track, read back as JSON."""
    opts = AnalyzeOptions(exercise=exercise, variant=variant)
    _judgement, report, warning = judge_and_report(
        Path(clip), Track.load(track_path), make_exercise(exercise, variant=variant), opts
    )
    return json.loads(json.dumps(json_safe(report), allow_nan=False)), warning


def test_the_schema_ships_in_the_package_and_is_a_valid_schema():
    import jsonschema

    assert SCHEMA_FILE.parent == REPO / "formcheck" / "outputs"
    jsonschema.Draft202012Validator.check_schema(report_schema())
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"outputs/*.json"' in pyproject  # package data: in the wheel beside the code


def test_every_labelled_clips_report_validates(labels):
    """Each clip with a committed track, judged as its label says, as analyze would."""
    tracks = committed_tracks()
    assert len(tracks) >= 60
    now = datetime.now(UTC)
    for clip, path in tracks:
        label = labels[clip]
        variant = label.variant if label.variant in EXERCISES[label.exercise].variants else ""
        report, _ = report_of(clip, path, label.exercise, variant)
        assert report_problems(report) == [], clip
        assert report["source"] == Path(clip).name and "source_path" not in report
        assert re.fullmatch(r"[0-9a-f]{64}", report["source_sha256"]) and report["model"] == "full"
        created = datetime.strptime(report["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert abs(created - now) < timedelta(minutes=10)
        assert report["fps"] > 0 and report["width"] > 0 and report["height"] > 0
        assert report["strictness"] == "standard" and report["schema_version"] == 1


def test_the_schema_catches_what_is_wrong():
    clip, path = committed_tracks()[0]
    report, _ = report_of(clip, path, "plank")
    assert report_problems(report) == []
    broken = {**report, "reps": -1, "surprise": 1, "created_at": "yesterday"}
    del broken["model"]
    problems = "\n".join(report_problems(broken))
    for key in ("reps", "surprise", "created_at", "model"):
        assert key in problems, problems


def test_a_clip_never_in_position_says_what_was_seen(labels):
    """A glute bridge (lying on the back) judged as a plank: one warning naming the bridge, in
    the report as well; the clip judged as what it is gets none."""
    clip = BRIDGE
    path = next(p for c, p in committed_tracks() if c == clip)
    report, warning = report_of(clip, path, "plank")
    assert warning is not None and warning.startswith("never in a plank position — wrong exercise or camera view?")
    assert "glute bridge position" in warning
    assert report["warnings"] == [warning] and report["positions_seen"]["glute_bridge"] > 5
    assert report_problems(report) == []
    right, none = report_of(clip, path, "glute_bridge")
    assert none is None and right["warnings"] == [] and "positions_seen" not in right


def test_analyze_prints_the_warning_once_and_names_the_source_only(tmp_path):
    path = next(p for c, p in committed_tracks() if c == BRIDGE)
    track = tmp_path / "bridge.npz"
    track.write_bytes(path.read_bytes())
    result = formcheck("analyze", str(track), "-e", "plank", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "never in a plank position" in warnings[0] and str(track) in warnings[0]
    report = json.loads((tmp_path / "out" / "bridge" / "report.json").read_text())
    assert report["source"] == "bridge.npz" and str(tmp_path) not in json.dumps(report)
    # (--full-source-path adds the path: tests/test_batch.py relies on it)


@pytest.mark.video
def test_a_real_analysis_of_a_video_validates(videos, tmp_path):
    """The model run on a real clip (its track not cached), the annotated video drawn."""
    clip = "plank/plank_forearm_side_man_rooftop_b.mp4"
    result = formcheck("analyze", str(videos / clip), "-e", "plank", "--out", str(tmp_path), "--no-cache")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / Path(clip).stem / "report.json").read_text())
    assert report_problems(report) == []
    assert report["annotated_frames"] > 0 and report["warnings"] == []
    from formcheck.pipeline.models import BUNDLE_SHA256, file_sha256

    assert report["source_sha256"] == file_sha256(videos / clip) and report["model_sha256"] == BUNDLE_SHA256["full"]


def readme_table(heading: str) -> list[str]:
    """The first column of the README table under `heading` (names in backticks)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        match = re.match(r"\| `([a-z0-9_]+)`", line)
        if match:
            rows.append(match.group(1))
    return rows


def test_the_readme_documents_every_key_and_column_once():
    keys = readme_table("### report.json")
    assert sorted(keys) == sorted(report_schema()["properties"])
    assert len(keys) == len(set(keys))
    columns = readme_table("### frames.csv")
    assert columns == [*FRAME_COLUMNS[: FRAME_COLUMNS.index("faults")], "side", *FRAME_COLUMNS[-2:]]
