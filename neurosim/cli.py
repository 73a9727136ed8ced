"""The ``neurosim`` command.

::

    neurosim list                                  experiments and benchmarks
    neurosim run <experiment> [--set name=value ...] [--json] [--out DIR]
    neurosim bench <name> [benchmark options, e.g. --json]

``--set`` values are parsed as numbers where they look like numbers, as lists where
they contain commas (``--set currents=0,100,200``), and as strings otherwise. With
``--json`` the last line of standard output is one JSON object with the experiment's
key numbers. ``--out DIR`` saves the summary, arrays and figures there.
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
    from experiments import BENCHMARKS, EXPERIMENTS, experiment

    print("experiments (neurosim run <name>):")
    for name in sorted(EXPERIMENTS):
        doc = (inspect.getmodule(experiment(name)).__doc__ or "").strip().splitlines()
        print(f"  {name:16s} {doc[0] if doc else ''}")
    print("benchmarks (neurosim bench <name>):")
    for name in sorted(BENCHMARKS):
        print(f"  {name}")
    return 0


def _cmd_run(args) -> int:
    from experiments import experiment

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

    from experiments import BENCHMARKS

    if args.name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {args.name!r}; benchmarks: {sorted(BENCHMARKS)}")
    module = importlib.import_module(BENCHMARKS[args.name])
    return int(module.main(rest) or 0)


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
    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        return _cmd_bench(args, rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    return {"list": _cmd_list, "run": _cmd_run}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
