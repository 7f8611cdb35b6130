"""formcheck installed like any Python tool: the sdist and wheel built from this checkout, the
wheel installed into a fresh virtual environment far from the checkout, and `formcheck analyze`
run there on a real clip (the packaged model runs; nothing is read from the checkout).

To stay fast and offline the build uses this environment's setuptools (`--no-isolation`) and the
new environment reuses this one's packages through a .pth file. (`venv --system-site-packages`
would not do: it sees the base interpreter's site-packages, not this virtual environment's.) A
.pth line that is a plain folder only adds that folder to sys.path; the .pth files inside it,
such as the editable install's import hook for this checkout, are not run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from formcheck.pipeline.models import BUNDLE_SHA256

pytest.importorskip("build", reason="needs the test extra (pip install -e '.[test]'): it builds the wheel")

REPO = Path(__file__).resolve().parents[1]
CLIP = "plank/plank_forearm_side_man_darkstudio.mp4"  # 3.3 s, labelled a good forearm plank
MAX_WHEEL_MB = 40
ODD = "place à ü 体"  # spaces and non-ASCII in every folder the installed formcheck touches


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist, and the wheel built from it (as `python -m build` does for a release)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        cwd=out,
        timeout=600,
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    (found,) = dist.glob("formcheck-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, Path]:
    """A fresh virtual environment holding the wheel, and what its `formcheck` runs with."""
    root = tmp_path_factory.mktemp("installed") / ODD
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    site = Path(_ask(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])", root))
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site / "zz_test_environment.pth").write_text("".join(f"{path}\n" for path in ours), encoding="utf-8")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        env=_clean_env(root),
        cwd=root,
    )
    script = scripts / ("formcheck.exe" if os.name == "nt" else "formcheck")
    return {"root": root, "python": python, "formcheck": script, "site": site}


def _clean_env(root: Path) -> dict[str, str]:
    """No way back to the checkout (PYTHONPATH) and no developer's overrides; the user's folders
    under a home whose name has spaces and non-ASCII letters."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("FORMCHECK_")}
    env["FORMCHECK_HOME"] = str(root / "home")
    return env


def _ask(python: Path, code: str, root: Path) -> str:
    """What `python -c code` prints, run in root (`-c` imports from the working folder first)."""
    return subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, env=_clean_env(root), cwd=root
    ).stdout.strip()


def _run(installed: dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(installed["formcheck"]), *args],
        capture_output=True,
        text=True,
        env=_clean_env(installed["root"]),
        cwd=installed["root"],
        timeout=600,
    )


def test_the_wheel_carries_the_two_models_and_stays_small(wheel):
    size_mb = wheel.stat().st_size / 1e6
    print(f"\n{wheel.name}: {size_mb:.1f} MB")
    assert size_mb < MAX_WHEEL_MB
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for variant in ("lite", "full"):
            data = zf.read(f"formcheck/models/pose_landmarker_{variant}.task")
            assert hashlib.sha256(data).hexdigest() == BUNDLE_SHA256[variant]
        assert "formcheck/thresholds.toml" in names
        assert "formcheck/plans/back_care.toml" in names  # the workout's shipped plan
        assert "formcheck/recognition/model.npz" in names  # --exercise auto works installed
        assert not [n for n in names if "heavy" in n]
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: platformdirs" in metadata


def test_the_sdist_carries_the_models_too(dist):
    (sdist,) = dist.glob("formcheck-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
    for variant in ("lite", "full"):
        assert any(n.endswith(f"formcheck/models/pose_landmarker_{variant}.task") for n in names)


def test_the_installed_formcheck_runs_from_its_own_environment(installed):
    facts = json.loads(
        _ask(
            installed["python"],
            "import json, formcheck, importlib.metadata as m; from formcheck.pipeline.models import resolve_model;"
            "print(json.dumps({'file': formcheck.__file__, 'version': formcheck.__version__,"
            " 'metadata': m.version('formcheck'), 'full': str(resolve_model('full').path),"
            " 'lite': str(resolve_model('lite').path)}))",
            installed["root"],
        )
    )
    site = installed["site"]
    for key in ("file", "full", "lite"):
        assert Path(facts[key]).is_relative_to(site), (key, facts[key])
    assert facts["version"] == facts["metadata"]
    result = _run(installed, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"formcheck {facts['metadata']}"


def test_analyze_on_a_real_clip_in_a_folder_with_spaces_and_accents(installed, videos):
    clips = installed["root"] / "mes clips é"
    clips.mkdir()
    clip = shutil.copyfile(videos / CLIP, clips / "planche côté 1.mp4")
    out = installed["root"] / "résultats"
    result = _run(installed, "analyze", str(clip), "--exercise", "plank", "--out", str(out), "--no-video")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / clip.stem / "report.json").read_text(encoding="utf-8"))
    version = _ask(
        installed["python"], "import importlib.metadata as m; print(m.version('formcheck'))", installed["root"]
    )
    assert report["formcheck_version"] == version
    assert report["exercise"] == "plank" and report["model"] == "full" and not report["partial"]
    # The labels: a good forearm plank held for the whole 3.3 s clip.
    assert report["hold_s"] == pytest.approx(3.3, abs=0.3)
    assert report["good_hold_s"] == pytest.approx(3.3, abs=0.3)
    assert report["faults"] == []
    # The model ran (no checkout, so no committed track) and its track went to the user's cache.
    cached = list((installed["root"] / "home" / "cache" / "tracks").glob("*-full-*.npz"))
    assert len(cached) == 1


def test_demo_and_samples_say_in_one_line_how_to_get_a_clip(installed):
    """No clip and no manifest are installed (the footage is not ours to ship)."""
    for args, where in ((["demo"], str(installed["root"] / "home" / "data" / "samples")), (["samples", "fetch"], "")):
        result = _run(installed, *args)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert "formcheck demo --fetch" in line and where in line
