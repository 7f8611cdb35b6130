"""`formcheck` on the command line: one sub-command per job, one clear line per user error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from formcheck import __version__
from formcheck.errors import FormcheckError
from formcheck.models import BUNDLED, DEFAULT_MODEL

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, metavar="lite|full|heavy|PATH",
        help=f"pose model: a bundled one ({', '.join(BUNDLED)}) or a .task file (default: {DEFAULT_MODEL})",
    )


def cmd_extract(args: argparse.Namespace) -> int:
    from formcheck.extract import extract_track
    from formcheck.pose import PoseEstimator
    from formcheck.sources import open_source

    with open_source(args.video) as source, PoseEstimator(args.model) as estimator:
        track, stats = extract_track(source, estimator, show_progress=True)
    out = Path(args.output) if args.output else Path(Path(args.video).stem + ".npz")
    track.save(out)
    print(
        f"{out}: {stats.frames} frames, person found in {stats.detection_rate:.1%}, "
        f"{stats.ms_per_frame:.1f} ms/frame ({estimator.model.name} model)"
    )
    if stats.interrupted:
        print("stopped early: the track holds the frames read so far", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def cmd_models_build(args: argparse.Namespace) -> int:
    from formcheck.modelbuild import write_bundle
    from formcheck.models import BUNDLE_SHA256, file_sha256, models_dir

    cache = Path(args.download_cache).expanduser()
    for variant in args.variants:
        path = write_bundle(variant, Path(args.out) if args.out else models_dir(), cache)
        digest = file_sha256(path)
        verdict = "matches the pinned hash" if digest == BUNDLE_SHA256[variant] else "DIFFERS from the pinned hash"
        print(f"{path}: sha256 {digest} ({verdict})")
        if digest != BUNDLE_SHA256[variant]:
            return EXIT_ERROR
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formcheck", description="Camera-based exercise form checker.")
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="run the pose model over a video and save the landmark track")
    p.add_argument("video", help="video file, folder of images, or camera index")
    p.add_argument("-o", "--output", help="track file to write (.npz; default: VIDEO's name)")
    _add_model_option(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("models", help="manage the pose model bundles")
    models_sub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    b = models_sub.add_parser("build", help="rebuild .task bundles from the PyPI and npm packages")
    b.add_argument("variants", nargs="*", default=["lite", "full"], choices=list(BUNDLED), metavar="VARIANT",
                   help="lite, full and/or heavy (default: lite full)")
    b.add_argument("--out", help="folder to write to (default: the models/ folder)")
    b.add_argument("--download-cache", default="~/.cache/formcheck/downloads",
                   help="where the downloaded packages are kept")
    b.set_defaults(func=cmd_models_build)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except FormcheckError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
