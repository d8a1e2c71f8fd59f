"""`make bench`: run every bench module (bench/bench_*.py, each with `run() -> list[dict]`),
print the figures as JSON and write them to var/bench.json.

`python -m bench name ...` runs only the named modules (without the bench_ prefix)."""

import importlib
import json
import os
import pkgutil
import sys
import traceback
from pathlib import Path

import bench


def main() -> int:
    if "DATABASE_URL" in os.environ:
        os.environ["BENCH_POSTGRES_URL"] = os.environ.pop("DATABASE_URL")
    wanted = set(sys.argv[1:])
    figures, failed = [], []
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")):
        if wanted and module.removeprefix("bench_") not in wanted:
            continue
        print(f"# {module}…", file=sys.stderr, flush=True)
        try:
            figures.extend(importlib.import_module(f"bench.{module}").run())
        except Exception:
            traceback.print_exc()
            failed.append(module)
    out = Path("var/bench.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if failed:
        print(f"Benchmarks en échec : {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
