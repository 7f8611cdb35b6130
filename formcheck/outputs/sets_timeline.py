"""The timeline of a whole workout (`--exercise auto`): which exercise was recognised when, with
the neighbours' confidence, and each set numbered as in report.json."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formcheck.files import atomic_write
from formcheck.i18n import _, ngettext


def plot_sets(path: Path | str, times_s: np.ndarray, names: list[str], confidence: np.ndarray, report: dict) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 3.6), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    lanes = sorted({s["exercise"] for s in report["sets"]}) or ["none"]
    colours = {name: f"C{i % 10}" for i, name in enumerate(lanes)}
    for s in report["sets"]:
        lane = lanes.index(s["exercise"])
        ax.broken_barh([(s["start_s"], s["end_s"] - s["start_s"])], (lane - 0.35, 0.7), color=colours[s["exercise"]])
        ax.text((s["start_s"] + s["end_s"]) / 2, lane, str(s["set"]), ha="center", va="center", color="white")
    ax.set_yticks(range(len(lanes)), [n.replace("_", " ") for n in lanes])
    ax.set_xlabel(_("time (s)"))
    n = len(report["sets"])
    title = ngettext("{source}: {n} set recognised", "{source}: {n} sets recognised", n)
    ax.set_title(title.format(source=Path(str(report["source"])).name, n=n))
    if len(times_s):
        ax.set_xlim(float(times_s[0]), float(times_s[-1]))
        conf = ax.twinx()
        shown = np.where([n != "none" for n in names], confidence, np.nan)
        conf.plot(times_s, shown, color="0.3", linewidth=0.8)
        conf.set_ylim(0, 1.05)
        conf.set_ylabel("confidence")
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png")
