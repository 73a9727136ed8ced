"""The ``neurosim`` command.

::

    neurosim list                                  experiments and benchmarks
    neurosim run <experiment> [--set name=value ...] [--json] [--out DIR]
    neurosim bench <name> [benchmark options, e.g. --json]
    neurosim sweep <experiment> --grid name=v1,v2 ... [--seeds N] --out DIR
                   [--set name=value ...] [--sampler grid|random|lhs --samples N
                   --range name=lo,hi ...] [--scheduler ADDR] [--workers N]
                   [--batched] [--retries N] [--retry-errors] [--quiet] [--json]

``--set`` values are parsed as numbers where they look like numbers, as lists where
they contain commas (``--set currents=0,100,200``), and as strings otherwise. With
``--json`` the last line of standard output is one JSON object with the experiment's
key numbers. ``--out DIR`` saves the summary, arrays and figures there.

``neurosim sweep`` runs an experiment over every combination of the ``--grid`` values
(and/or ``--samples`` random or Latin-hypercube points over ``--range`` intervals)
times ``--seeds N`` seeds (``0..N-1``; or a list ``--seeds 3,7``), ``--set`` values
fixed, into the results folder ``--out`` (rerun the same command to resume); on local
processes, or on the Dask scheduler at ``--scheduler tcp://host:8786``. With
``--json`` the last line is ``{"experiment", "out", "runs", "ok", "error", "wall_s"}``.
See :mod:`neurosim.sweep`.
"""

from __future__ import annotations

import argparse
import inspect
import sys


def parse_value(text: str):
    """'3' -> 3, '2.5' -> 2.5, '1,2' -> [1, 2], 'true' -> True, else the string."""
    if "," in text:
        return [parse_value(part) for part in text.split(",") if part != ""]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_sets(items: list[str]) -> dict:
    params = {}
    for item in items:
        if "=" not in item:
            raise SystemExit(f"--set expects name=value, got {item!r}")
        name, value = item.split("=", 1)
        params[name.strip()] = parse_value(value.strip())
    return params


def _cmd_list(args) -> int:
    from neurosim.experiments import BENCHMARKS, EXPERIMENTS, experiment

    print("experiments (neurosim run <name>):")
    for name in sorted(EXPERIMENTS):
        func = experiment(name)
        doc = (func.__doc__ or inspect.getmodule(func).__doc__ or "").strip().splitlines()
        print(f"  {name:16s} {doc[0] if doc else ''}")
    print("benchmarks (neurosim bench <name>):")
    for name in sorted(BENCHMARKS):
        print(f"  {name}")
    return 0


def _cmd_run(args) -> int:
    from neurosim.experiments import experiment

    func = experiment(args.experiment)
    params = parse_sets(args.set or [])
    try:
        result = func(**params)
    except TypeError as err:
        sig = inspect.signature(func)
        raise SystemExit(f"neurosim run {args.experiment}: {err}\nparameters: {sig}") from None
    except ValueError as err:
        raise SystemExit(f"neurosim run {args.experiment}: {err}") from None
    if args.out:
        folder = result.save(args.out)
        if not args.json:
            print(f"saved to {folder}")
    if args.json:
        print(result.to_json())
    else:
        for key, value in result.summary.items():
            if isinstance(value, (list, tuple)) and len(value) > 8:
                value = f"[{len(value)} values]"
            print(f"{key}: {value}")
    return 0


def _cmd_bench(args, rest) -> int:
    import importlib

    from neurosim.experiments import BENCHMARKS

    if args.name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {args.name!r}; benchmarks: {sorted(BENCHMARKS)}")
    module = importlib.import_module(BENCHMARKS[args.name])
    return int(module.main(rest) or 0)


def _parse_range(item: str):
    name, _, text = item.partition("=")
    values = parse_value(text) if text else None
    if not name or not isinstance(values, list) or len(values) != 2:
        raise SystemExit(f"--range expects name=low,high, got {item!r}")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise SystemExit(f"--range {item!r}: low and high must be numbers")
    return name.strip(), (float(values[0]), float(values[1]))


def _cmd_sweep(args) -> int:
    import json
    import time

    from neurosim.experiments import reference
    from neurosim.sweep import resume_hint, sweep

    grid = {}
    for name, value in parse_sets(args.grid or []).items():
        grid[name] = value if isinstance(value, list) else [value]
    seeds = parse_value(args.seeds)
    if not isinstance(seeds, (int, list)) or isinstance(seeds, bool):
        raise SystemExit(f"--seeds expects a number or a list of seeds, got {args.seeds!r}")
    ranges = dict(_parse_range(item) for item in args.range or [])
    if args.sampler == "grid" and (ranges or args.samples):
        raise SystemExit("--range and --samples need --sampler random or lhs")
    executor = args.scheduler
    started = time.perf_counter()
    try:
        df = sweep(
            args.experiment,
            grid=grid,
            seeds=seeds,
            sampler=args.sampler,
            ranges=ranges or None,
            n_samples=args.samples,
            sample_seed=args.sample_seed,
            params=parse_sets(args.set or []),
            out=args.out,
            executor=executor,
            max_workers=args.workers,
            retries=args.retries,
            retry_errors=args.retry_errors,
            progress=False if args.quiet else None,
            batched=args.batched,
            batch_size=args.batch_size,
            resolve=reference,
        )
    except (ValueError, TypeError) as err:
        raise SystemExit(f"neurosim sweep {args.experiment}: {err}") from None
    except KeyboardInterrupt:
        print(
            f"interrupted: {resume_hint(args.out)}; run the same command to resume", file=sys.stderr
        )
        return 130
    wall = time.perf_counter() - started
    counts = df["status"].value_counts()
    summary = {
        "experiment": args.experiment,
        "out": str(args.out),
        "runs": int(len(df)),
        "ok": int(counts.get("ok", 0)),
        "error": int(counts.get("error", 0)),
        "wall_s": round(wall, 3),
    }
    if args.json:
        print(json.dumps(summary))
    elif not args.quiet:
        print(
            f"{summary['runs']} runs ({summary['ok']} ok, {summary['error']} error) in "
            f"{wall:.1f} s; results in {args.out} (neurosim.sweep.load_results)"
        )
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="neurosim", description="neurosim spiking simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list experiments and benchmarks")
    run = sub.add_parser("run", help="run an experiment")
    run.add_argument("experiment")
    run.add_argument("--set", action="append", metavar="NAME=VALUE", help="set a parameter")
    run.add_argument("--json", action="store_true", help="print the key numbers as JSON last")
    run.add_argument("--out", metavar="DIR", help="save summary, arrays and figures here")
    bench = sub.add_parser("bench", help="run a benchmark (options are passed on)")
    bench.add_argument("name")
    sw = sub.add_parser("sweep", help="run an experiment over a grid of parameters and seeds")
    sw.add_argument("experiment")
    sw.add_argument("--grid", action="append", metavar="NAME=V1,V2", help="swept values")
    sw.add_argument("--seeds", default="1", help="number of seeds (0..N-1) or a list")
    sw.add_argument("--out", required=True, metavar="DIR", help="results folder (resumable)")
    sw.add_argument("--set", action="append", metavar="NAME=VALUE", help="fixed parameter")
    sw.add_argument("--sampler", choices=("grid", "random", "lhs"), default="grid")
    sw.add_argument("--samples", type=int, metavar="N", help="sampled points (random/lhs)")
    sw.add_argument("--range", action="append", metavar="NAME=LO,HI", help="sampled interval")
    sw.add_argument("--sample-seed", type=int, default=0, help="seed of the sampler")
    sw.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler, e.g. tcp://host:8786")
    sw.add_argument("--workers", type=int, metavar="N", help="local processes (default: cores)")
    sw.add_argument("--batched", action="store_true", help="many instances in one kernel")
    sw.add_argument("--batch-size", type=int, default=64, help="instances per batch")
    sw.add_argument("--retries", type=int, default=2, help="retries of a run whose worker died")
    sw.add_argument("--retry-errors", action="store_true", help="rerun runs that raised")
    sw.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    sw.add_argument("--json", action="store_true", help="print the counts as JSON last")
    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        return _cmd_bench(args, rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    return {"list": _cmd_list, "run": _cmd_run, "sweep": _cmd_sweep}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
