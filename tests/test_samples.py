"""Finding sample clips, and fetching the public ones with their pinned sha256."""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import http.server
import json
import socket
import threading
import urllib.parse
from pathlib import Path

import pytest

from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES as REGISTERED
from formcheck.lab import samples

EXERCISES = set(REGISTERED)  # every exercise formcheck judges has its clips in the manifest
MANIFEST = samples.DEFAULT_MANIFEST
SHARED = samples.SHARED_SAMPLES


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- where clips are found ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch):
    """The user's folders in a temporary home: no clip a developer fetched changes an answer."""
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))


@pytest.fixture
def three_dirs(tmp_path, monkeypatch):
    project, env, shared = (tmp_path / name for name in ("project", "env", "shared"))
    for folder in (project, env, shared):
        folder.mkdir()
    monkeypatch.setattr(samples, "PROJECT_SAMPLES", project)
    monkeypatch.setattr(samples, "SHARED_SAMPLES", shared)
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(env))
    return project, env, shared


def test_sample_dirs_order_is_project_then_env_then_shared(three_dirs):
    assert samples.sample_dirs() == list(three_dirs)


def test_the_users_samples_folder_comes_between_env_and_shared(three_dirs):
    project, env, shared = three_dirs
    mine = samples.user_samples_dir()
    mine.mkdir(parents=True)
    assert samples.sample_dirs() == [project, env, mine, shared]


def test_sample_dirs_skips_missing_and_unset(three_dirs, monkeypatch, tmp_path):
    project, _env, shared = three_dirs
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path / "does-not-exist"))
    assert samples.sample_dirs() == [project, shared]
    monkeypatch.delenv("FORMCHECK_SAMPLES")
    shared.rmdir()
    assert samples.sample_dirs() == [project]


def test_sample_dirs_lists_a_folder_once(three_dirs, monkeypatch):
    project, _env, shared = three_dirs
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(shared))
    assert samples.sample_dirs() == [project, shared]


def test_sample_dirs_real_layout_env_between_project_and_shared(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path))
    dirs = samples.sample_dirs()
    assert tmp_path in dirs
    i = dirs.index(tmp_path)
    assert all(d.resolve() == samples.PROJECT_SAMPLES.resolve() for d in dirs[:i])
    assert all(d.resolve() == samples.SHARED_SAMPLES.resolve() for d in dirs[i + 1 :])
    assert Path(samples.__file__).resolve().parents[3] / "shared" / "videos" == samples.SHARED_SAMPLES


def test_find_sample_takes_the_first_folder_that_has_it(three_dirs):
    project, env, shared = three_dirs
    rel = "plank/clip.mp4"
    for folder in (env, shared):
        (folder / "plank").mkdir()
        (folder / rel).write_bytes(folder.name.encode())
    assert samples.find_sample(rel) == env / rel
    (project / "plank").mkdir()
    (project / rel).write_bytes(b"project")
    assert samples.find_sample(rel) == project / rel
    assert samples.find_sample("plank/other.mp4") is None
    (env / "plank" / "dir.mp4").mkdir()
    assert samples.find_sample("plank/dir.mp4") is None  # a folder is not a clip


def test_find_labels_first_labels_csv(three_dirs):
    _project, env, shared = three_dirs
    assert samples.find_labels() is None
    (shared / "labels.csv").write_text("file\n")
    assert samples.find_labels() == shared / "labels.csv"
    (env / "labels.csv").write_text("file\n")
    assert samples.find_labels() == env / "labels.csv"


def test_demo_clip_is_a_plank_in_the_manifest():
    entries = {e.file: e for e in samples.read_manifest()}
    assert samples.DEMO_CLIP in entries
    assert entries[samples.DEMO_CLIP].exercise == "plank"
    # the row pinned in the code (for installs, which have no manifest) is the manifest's
    pinned, row = samples.DEMO_ENTRY, entries[samples.DEMO_CLIP]
    assert (pinned.file, pinned.exercise, pinned.sha256, pinned.url) == (row.file, row.exercise, row.sha256, row.url)


# --- fetching -------------------------------------------------------------------------------


class _Server:
    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        log = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                log.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{urllib.parse.quote(name)}"


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    srv = _Server(root)
    srv.thread.start()
    yield root, srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    srv.thread.join(5)


def _write_manifest(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(samples.MANIFEST_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({"exercise": "plank", "source": "test", "license": "", "notes": "", **row})
    return path


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_fetch_downloads_verifies_and_skips_good_files(tmp_path, server):
    root, srv = server
    data = bytes(range(256)) * 1000
    (root / "a clip.mp4").write_bytes(data)
    manifest = _write_manifest(
        tmp_path / "manifest.csv",
        [{"file": "plank/a clip.mp4", "sha256": _sha(data), "url": srv.url("a clip.mp4")}],
    )
    dest = tmp_path / "dest"
    paths = samples.fetch_samples(dest, manifest, progress=False)
    assert paths == [dest / "plank" / "a clip.mp4"]
    assert paths[0].read_bytes() == data
    assert _leftovers(dest) == []
    assert len(srv.requests) == 1

    again = samples.fetch_samples(dest, manifest, progress=False)
    assert again == paths
    assert len(srv.requests) == 1  # a file with the right hash is not fetched again


def test_fetch_replaces_a_damaged_file(tmp_path, server):
    root, srv = server
    data = b"good clip" * 100
    (root / "clip.mp4").write_bytes(data)
    manifest = _write_manifest(
        tmp_path / "m.csv", [{"file": "clip.mp4", "sha256": _sha(data), "url": srv.url("clip.mp4")}]
    )
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "clip.mp4").write_bytes(b"truncated")
    samples.fetch_samples(dest, manifest, progress=False)
    assert (dest / "clip.mp4").read_bytes() == data


def test_fetch_hash_mismatch_is_one_clear_line_and_leaves_nothing(tmp_path, server):
    root, srv = server
    (root / "clip.mp4").write_bytes(b"re-encoded by someone")
    pinned = _sha(b"the original bytes")
    manifest = _write_manifest(
        tmp_path / "m.csv", [{"file": "plank/clip.mp4", "sha256": pinned, "url": srv.url("clip.mp4")}]
    )
    dest = tmp_path / "dest"
    with pytest.raises(FormcheckError) as info:
        samples.fetch_samples(dest, manifest, progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert "sha256 mismatch" in message and "plank/clip.mp4" in message and pinned in message
    assert not (dest / "plank" / "clip.mp4").exists()
    assert _leftovers(dest) == []


def test_fetch_mismatch_keeps_the_old_file_and_fetches_the_rest(tmp_path, server):
    root, srv = server
    good = b"fine" * 50
    (root / "bad.mp4").write_bytes(b"changed upstream")
    (root / "good.mp4").write_bytes(good)
    manifest = _write_manifest(
        tmp_path / "m.csv",
        [
            {"file": "bad.mp4", "sha256": _sha(b"pinned"), "url": srv.url("bad.mp4")},
            {"file": "good.mp4", "sha256": _sha(good), "url": srv.url("good.mp4")},
        ],
    )
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "bad.mp4").write_bytes(b"old local copy")
    with pytest.raises(FormcheckError, match=r"1 of 2 clips not fetched: bad\.mp4: sha256 mismatch"):
        samples.fetch_samples(dest, manifest, progress=False)
    assert (dest / "bad.mp4").read_bytes() == b"old local copy"  # never half-replaced
    assert (dest / "good.mp4").read_bytes() == good
    assert _leftovers(dest) == []


def test_fetch_http_error_is_clear(tmp_path, server):
    _root, srv = server
    manifest = _write_manifest(
        tmp_path / "m.csv", [{"file": "gone.mp4", "sha256": _sha(b"x"), "url": srv.url("gone.mp4")}]
    )
    with pytest.raises(FormcheckError, match=r"gone\.mp4: .* answered HTTP 404") as info:
        samples.fetch_samples(tmp_path / "dest", manifest, progress=False)
    assert "\n" not in str(info.value)


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: nothing listens there


def test_fetch_connection_refused_is_one_clear_line(tmp_path):
    url = f"http://127.0.0.1:{_refused_port()}/clip.mp4"
    manifest = _write_manifest(
        tmp_path / "m.csv",
        [
            {"file": "a.mp4", "sha256": _sha(b"a"), "url": url},
            {"file": "b.mp4", "sha256": _sha(b"b"), "url": url},
        ],
    )
    dest = tmp_path / "dest"
    with pytest.raises(FormcheckError) as info:
        samples.fetch_samples(dest, manifest, progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"cannot download {url}")
    assert "refused" in message.lower()
    assert not (dest / "a.mp4").exists()
    assert _leftovers(dest) == []


def test_fetch_progress_goes_to_stderr(tmp_path, server, capsys):
    root, srv = server
    (root / "c.mp4").write_bytes(b"c")
    manifest = _write_manifest(tmp_path / "m.csv", [{"file": "c.mp4", "sha256": _sha(b"c"), "url": srv.url("c.mp4")}])
    samples.fetch_samples(tmp_path / "dest", manifest)
    out = capsys.readouterr()
    assert out.out == ""
    assert "c.mp4" in out.err


def test_bad_manifests_are_refused(tmp_path):
    with pytest.raises(FormcheckError, match="no such manifest"):
        samples.read_manifest(tmp_path / "missing.csv")
    (tmp_path / "m.csv").write_text("file,exercise\nx.mp4,plank\n")
    with pytest.raises(FormcheckError, match="missing columns: sha256, url"):
        samples.read_manifest(tmp_path / "m.csv")
    _write_manifest(tmp_path / "m.csv", [{"file": "../escape.mp4", "sha256": _sha(b""), "url": "http://x/"}])
    with pytest.raises(FormcheckError, match="relative path inside"):
        samples.read_manifest(tmp_path / "m.csv")
    (tmp_path / "m.csv").write_text("file,sha256,url\nclip.mp4\n")  # a short row
    with pytest.raises(FormcheckError, match=r"m.csv:2: file, sha256 and url must all be given"):
        samples.read_manifest(tmp_path / "m.csv")


# --- the demo ---------------------------------------------------------------------------------


@pytest.fixture
def no_clips(tmp_path, monkeypatch):
    """No sample folder anywhere, as in a fresh install; the checkout's sample_videos/ is a temp one."""
    project = tmp_path / "project"
    monkeypatch.setattr(samples, "PROJECT_SAMPLES", project)
    monkeypatch.setattr(samples, "SHARED_SAMPLES", tmp_path / "no-shared")
    monkeypatch.delenv("FORMCHECK_SAMPLES", raising=False)
    return project


def test_demo_without_its_clip_says_in_one_line_how_to_get_it(no_clips, tmp_path, capsys):
    from formcheck.app.cli import main

    assert main(["demo", "--out", str(tmp_path / "out")]) != 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("formcheck: error: demo clip")
    assert "formcheck demo --fetch" in line and str(no_clips) in line and "FORMCHECK_SAMPLES" in line


def test_demo_fetch_downloads_the_pinned_clip_and_analyses_it(no_clips, tmp_path, server, videos, monkeypatch, capsys):
    from formcheck.app.cli import main

    root, srv = server
    (root / "incorrect_plank.mp4").write_bytes((videos / samples.DEMO_CLIP).read_bytes())
    monkeypatch.setattr(
        samples, "DEMO_ENTRY", dataclasses.replace(samples.DEMO_ENTRY, url=srv.url("incorrect_plank.mp4"))
    )
    assert main(["demo", "--fetch", "--out", str(tmp_path / "out")]) == 0
    fetched = no_clips / samples.DEMO_CLIP
    assert samples.file_sha256(fetched) == samples.DEMO_ENTRY.sha256
    report = json.loads((tmp_path / "out" / fetched.stem / "report.json").read_text(encoding="utf-8"))
    assert report["exercise"] == "plank" and report["faults"]  # the BAD plank: its faults are found
    assert "annotated.mp4" in capsys.readouterr().out


# --- the committed manifest -----------------------------------------------------------------


def test_manifest_is_well_formed():
    with MANIFEST.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == samples.MANIFEST_COLUMNS
        rows = list(reader)
    assert rows
    files = [r["file"] for r in rows]
    assert len(files) == len(set(files))
    for row in rows:
        assert row["exercise"] in EXERCISES
        assert row["file"].startswith(row["exercise"] + "/")
        assert len(row["sha256"]) == 64 and int(row["sha256"], 16) >= 0
        assert row["url"].startswith("https://raw.githubusercontent.com/")
        assert " " not in row["url"]
        assert row["license"]


def test_expected_md_covers_every_manifest_clip():
    expected = (samples.PROJECT_SAMPLES / "expected.md").read_text(encoding="utf-8")
    for entry in samples.read_manifest():
        assert entry.file in expected


@pytest.mark.skipif(not (SHARED / "MANIFEST.csv").is_file(), reason="../shared/videos is not here")
def test_manifest_matches_the_shared_clips():
    with (SHARED / "MANIFEST.csv").open(newline="", encoding="utf-8") as f:
        sources = {r["file"]: r for r in csv.DictReader(f)}
    entries = samples.read_manifest()
    for entry in entries:
        path = SHARED / entry.file
        assert path.is_file(), entry.file
        assert samples.file_sha256(path) == entry.sha256, f"{entry.file}: sha256 differs from the shared copy"
        src = sources[entry.file]
        quoted = urllib.parse.quote(src["source_path"], safe="/")
        assert entry.url == (f"https://raw.githubusercontent.com/{src['source_repo']}/{src['source_commit']}/{quoted}")
        assert entry.license == src["source_license"]
        assert entry.exercise == src["exercise"]
    wanted = {f for f, r in sources.items() if r["exercise"] in EXERCISES}
    assert {e.file for e in entries} == wanted
