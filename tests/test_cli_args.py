"""The command line itself: `python -m formcheck`, and options refused before any work starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.app.cli import build_parser

REPO = Path(__file__).resolve().parents[1]


def test_python_dash_m_formcheck_runs_the_cli(tmp_path):
    import formcheck

    # In the package itself (an editable install elsewhere could otherwise supply one).
    assert (Path(formcheck.__file__).parent / "__main__.py").is_file()
    ok = subprocess.run([sys.executable, "-m", "formcheck", "--version"], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0 and ok.stdout.startswith("formcheck ")
    bad = subprocess.run(
        [sys.executable, "-m", "formcheck", "extract", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "t.npz")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    lines = bad.stderr.strip().splitlines()
    assert bad.returncode == 1 and len(lines) == 1 and lines[0].startswith("formcheck: error:"), bad.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-seconds", "-1"),
        ("--max-seconds", "0"),
        ("--max-seconds", "nan"),
        ("--max-seconds", "inf"),
        ("--max-seconds", "soon"),
        ("--countdown", "-5"),
        ("--countdown", "nan"),
        ("--screenshot-at", "-2"),
    ],
)
def test_live_refuses_impossible_seconds_with_one_line(capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["live", "-e", "plank", option, value])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]  # argparse: usage, then the one error line
    assert error.startswith("formcheck live: error: argument") and option in error and repr(value) in error


def test_live_accepts_sensible_seconds():
    args = build_parser().parse_args(["live", "-e", "plank", "--max-seconds", "2.5", "--countdown", "0"])
    assert (args.max_seconds, args.countdown) == (2.5, 0.0)
