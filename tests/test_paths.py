"""Where formcheck keeps the user's files (platformdirs, FORMCHECK_HOME and the older variables),
user config files by name, paths with spaces and non-ASCII names, and one version everywhere."""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import cv2
import numpy as np
import pytest
from cli_helpers import formcheck, one_line_error

import formcheck as package
from formcheck.config import find_config, load_thresholds
from formcheck.errors import FormcheckError
from formcheck.paths import cache_dir, config_dir, data_dir
from formcheck.pipeline.cache import user_cache_dir
from formcheck.pipeline.sources import open_source

REPO = Path(__file__).resolve().parents[1]
ODD = "dossier à ü ß 体"  # spaces and non-ASCII in one folder name


@pytest.fixture
def no_overrides(monkeypatch):
    for name in ("FORMCHECK_HOME", "FORMCHECK_CACHE", "FORMCHECK_MODELS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG variables are Linux's")
def test_the_user_folders_are_where_linux_expects_them(no_overrides, monkeypatch, tmp_path):
    for kind in ("CACHE", "DATA", "CONFIG"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    assert cache_dir() == tmp_path / "cache" / "formcheck"
    assert data_dir() == tmp_path / "data" / "formcheck"
    assert config_dir() == tmp_path / "config" / "formcheck"
    assert user_cache_dir() == tmp_path / "cache" / "formcheck" / "tracks"  # where ~/.cache/... was before


def test_formcheck_home_moves_all_three(no_overrides, monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / ODD))
    assert (cache_dir(), data_dir(), config_dir()) == tuple(
        tmp_path / ODD / kind for kind in ("cache", "data", "config")
    )
    assert user_cache_dir() == tmp_path / ODD / "cache" / "tracks"


def test_formcheck_cache_still_names_the_track_cache(no_overrides, monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORMCHECK_CACHE", str(tmp_path / "tracks"))
    assert user_cache_dir() == tmp_path / "tracks"


def test_a_config_named_bare_is_found_in_the_users_config_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / ODD))
    monkeypatch.chdir(tmp_path)
    config_dir().mkdir(parents=True)
    (config_dir() / "gentle plank.toml").write_text("[plank]\nhip_sag_deg = 20\n", encoding="utf-8")
    assert find_config("gentle plank.toml") == config_dir() / "gentle plank.toml"
    assert load_thresholds("plank", "gentle plank.toml")["hip_sag_deg"] == 20
    (tmp_path / "gentle plank.toml").write_text("[plank]\nhip_sag_deg = 15\n", encoding="utf-8")
    assert load_thresholds("plank", "gentle plank.toml")["hip_sag_deg"] == 15  # the working folder first


def test_a_missing_config_names_both_places_on_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FormcheckError) as info:
        find_config("nope.toml")
    assert str(info.value) == f"nope.toml: no such config file (nor in {config_dir()})"
    with pytest.raises(FormcheckError, match=r"^sub/nope.toml: no such config file$"):
        find_config("sub/nope.toml")  # a path is taken as given


def test_an_image_folder_with_non_ascii_names_is_read(tmp_path):
    folder = tmp_path / ODD
    folder.mkdir()
    for i in range(2):
        _ok, png = cv2.imencode(".png", np.full((8, 12, 3), 40 * (i + 1), np.uint8))
        (folder / f"bild ä {i}.png").write_bytes(png.tobytes())
    with open_source(folder) as source:
        frames = list(source)
    assert [f.image.shape for f in frames] == [(8, 12, 3)] * 2
    assert frames[1].image[0, 0, 0] == 80


def test_one_version_everywhere():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert package.__version__ == version("formcheck") == declared
    result = formcheck("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"formcheck {declared}"
    assert (REPO / "CHANGELOG.md").read_text(encoding="utf-8").startswith("# Changelog")


def test_bad_input_in_an_odd_folder_is_still_one_line(tmp_path):
    folder = tmp_path / ODD
    folder.mkdir()
    (folder / "not a video é.mp4").write_bytes(b"plain text")
    line = one_line_error(formcheck("analyze", str(folder / "not a video é.mp4"), "-e", "plank", cwd=tmp_path))
    assert ODD in line and "not a video" in line
