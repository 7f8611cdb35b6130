"""Run every benchmark and print its figures (`make bench`). Not a test: no assertions."""

import runpy
from pathlib import Path

HERE = Path(__file__).parent
if __name__ == "__main__":  # folder runs start processes that import this module again
    names = (
        "bench_extract",
        "bench_rules",
        "bench_analyze",
        "bench_contention",
        "bench_live",
        "bench_memory",
        "bench_recognition",
        "bench_cluster",
    )
    for name in names:
        path = HERE / f"{name}.py"
        if path.is_file():
            print(f"\n== {name}")
            runpy.run_path(str(path), run_name="__main__")
