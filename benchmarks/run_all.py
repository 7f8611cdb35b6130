"""Run every benchmark and print its figures (`make bench`). Not a test: no assertions."""

import runpy
from pathlib import Path

HERE = Path(__file__).parent
for name in ("bench_extract", "bench_rules", "bench_analyze", "bench_live", "bench_memory", "bench_recognition"):
    path = HERE / f"{name}.py"
    if path.is_file():
        print(f"\n== {name}")
        runpy.run_path(str(path), run_name="__main__")
