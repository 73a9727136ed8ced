"""The ``neurosim`` command.

::

    neurosim list                                  experiments, benchmarks, tasks
    neurosim run <experiment> [--set name=value ...] [--json] [--out DIR]
    neurosim bench <name> [benchmark options, e.g. --json]
    neurosim compare <task> [--seeds N] [--set name=value ...] [--json] [--out DIR]
    neurosim sweep <experiment> --grid name=v1,v2 ... [--seeds N] --out DIR
                   [--set name=value ...] [--sampler grid|random|lhs --samples N
                   --range name=lo,hi ...] [--scheduler ADDR] [--workers N]
                   [--batched] [--retries N] [--retry-errors] [--quiet] [--json]

``--set`` values are parsed as numbers where they look like numbers, as lists where
they contain commas (``--set currents=0,100,200``), and as strings otherwise. With
``--json`` the last line of standard output is one JSON object with the experiment's
key numbers. ``--out DIR`` saves the summary, arrays and figures there.

``neurosim compare`` puts a task's spiking learner and the gradient-descent learner
through the task with seeds ``0..N-1`` (``--set mlp_<name>=value`` for the
gradient-descent learner, a list runs it once per value; other names go to the task)
and prints the efficiency table with the energy constants used; ``--out DIR`` saves
the CSV table and figures; with ``--json`` the last line is ``{"task", "n_seeds",
"learners": [...]}``. See :mod:`neurosim.compare`.

``neurosim sweep`` runs an experiment over every combination of the ``--grid`` values
(and/or ``--samples`` random or Latin-hypercube points over ``--range`` intervals)
times ``--seeds N`` seeds (``0..N-1``; or a list ``--seeds 3,7``), ``--set`` values
fixed, into the results folder ``--out`` (rerun the same command to resume); on local
processes, or on the Dask scheduler at ``--scheduler tcp://host:8786``. With
``--json`` the last line is ``{"experiment", "out", "runs", "ok", "error", "wall_s"}``.
See :mod:`neurosim.sweep`.

Exit status: see :data:`EXIT_STATUS`.
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import sys
from pathlib import Path

#: What the exit status of the command says (also shown by ``neurosim sweep --help``).
EXIT_STATUS = """\
Exit status: 0 when everything ran (for a sweep: every run ok); 1 with a one-line
message on standard error when nothing could be run (an unknown experiment or
parameter, a bad value, an --out that is a file or cannot be written, no Dask
scheduler at --scheduler) or when neurosim run could not save its results
(they are then kept in a temporary folder named on standard error); 2 for a
malformed command line; 3 when a sweep finished but some of its runs failed (their
rows say why); 130 when interrupted (Ctrl-C; rerun the same command to resume).
"""
#: Exit status of a sweep that finished with failed runs.
RUNS_FAILED = 3
#: Exit status after Ctrl-C.
INTERRUPTED = 130


def parse_value(text: str):
    """'3' -> 3, '2.5' -> 2.5, '1,2' -> [1, 2], 'true' -> True, else the string;
    ValueError for a list with an empty item (``'0,,500'``, ``'1,'``)."""
    if "," in text:
        parts = [part.strip() for part in text.split(",")]
        if "" in parts:
            raise ValueError(f"{text!r} has an empty item; write the values as v1,v2,...")
        return [parse_value(part) for part in parts]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _named_values(items: list[str], option: str) -> dict:
    """``name=value`` items of ``option`` -> {name: parsed value}; SystemExit for an
    item without ``=``, without a value, with a malformed list or a repeated name."""
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name:
            raise SystemExit(f"{option} expects name=value, got {item!r}")
        if not text:
            raise SystemExit(f"{option} {item!r} gives no value")
        if name in values:
            raise SystemExit(f"{option} {name} is given twice; give each name once")
        try:
            values[name] = parse_value(text)
        except ValueError as err:
            raise SystemExit(f"{option} {name}: {err}") from None
    return values


def parse_sets(items: list[str]) -> dict:
    """The ``--set name=value`` items as a dict (see :func:`parse_value`)."""
    return _named_values(items, "--set")


def _clean_rst(text: str) -> str:
    """``text`` without RST roles and backquotes (``:func:`~a.b``` -> ``b``)."""
    text = re.sub(
        r":[\w:.-]+:`~?([^`<]*?)\s*(?:<[^>]*>)?`", lambda m: m.group(1).split(".")[-1], text
    )
    return re.sub(r"`+([^`]*)`+", r"\1", text)


def first_sentence(doc: str) -> str:
    """The first sentence of a docstring's first paragraph, cleaned of RST markup."""
    paragraph = " ".join(inspect.cleandoc(doc or "").split("\n\n")[0].split())
    text = _clean_rst(paragraph)
    return re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text, maxsplit=1)[0]


def _doc_of(func) -> str:
    return func.__doc__ or inspect.getmodule(func).__doc__ or ""


def _parameter_line(func, param: inspect.Parameter) -> str:
    """``name = default  (type) description`` of one experiment parameter."""
    text = param.name if param.default is param.empty else f"{param.name} = {param.default!r}"
    if param.annotation is not param.empty:
        text += f"  ({param.annotation if isinstance(param.annotation, str) else param.annotation.__name__})"
    pattern = rf"^\s*{re.escape(param.name)}\s*:[^\n]*\n\s+(\S[^\n]*)"
    for doc in (func.__doc__ or "", inspect.getmodule(func).__doc__ or ""):
        found = re.search(pattern, doc, re.MULTILINE)
        if found:
            return f"  {text}: {_clean_rst(found.group(1).strip())}"
    return f"  {text}"


def experiment_help(name: str) -> str:
    """The parameters of experiment ``name`` with defaults, one line each."""
    from neurosim.experiments import experiment

    func = experiment(name)
    lines = [f"{name}: {first_sentence(_doc_of(func))}", "", "parameters (--set NAME=VALUE):"]
    for param in inspect.signature(func).parameters.values():
        if param.kind == param.VAR_KEYWORD:
            lines.append(f"  **{param.name}: further parameters, passed on by name")
        else:
            lines.append(_parameter_line(func, param))
    return "\n".join(lines)


def _experiment(name: str, command: str):
    """The run function of experiment ``name``; SystemExit naming the known ones."""
    from neurosim.experiments import EXPERIMENTS, experiment

    if name not in EXPERIMENTS:
        raise SystemExit(
            f"neurosim {command}: unknown experiment {name!r}; experiments: "
            f"{', '.join(sorted(EXPERIMENTS))} (neurosim list)"
        )
    return experiment(name)


def check_out_folder(path, command: str) -> None:
    """SystemExit unless ``path`` is, or can be made, a writable folder."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise SystemExit(f"neurosim {command}: --out {path} is an existing file, not a folder")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise SystemExit(f"neurosim {command}: --out {path} cannot be made: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SystemExit(f"neurosim {command}: --out {path} cannot be written ({existing})")


def _cmd_list(args) -> int:
    from neurosim.experiments import BENCHMARKS, EXPERIMENTS, experiment

    print("experiments (neurosim run <name>):")
    for name in sorted(EXPERIMENTS):
        print(f"  {name:16s} {first_sentence(_doc_of(experiment(name)))}")
    print("benchmarks (neurosim bench <name>):")
    for name in sorted(BENCHMARKS):
        print(f"  {name}")
    from neurosim.compare import TASKS

    print("tasks (neurosim compare <task>):")
    for name in sorted(TASKS):
        print(f"  {name}")
    return 0


def _save(result, out: str) -> int:
    """Save ``result`` into ``out``; when that fails, into a temporary folder named on
    standard error, and return 1."""
    import tempfile

    try:
        result.save(out)
        return 0
    except OSError as err:
        keep = tempfile.mkdtemp(prefix="neurosim-run-")
        result.save(keep)
        print(
            f"neurosim run: cannot save to {out} ({err}); results kept in {keep}", file=sys.stderr
        )
        return 1


def _cmd_run(args) -> int:
    func = _experiment(args.experiment, "run")
    params = parse_sets(args.set or [])
    if args.out:
        check_out_folder(args.out, "run")
    try:
        result = func(**params)
    except TypeError as err:
        sig = inspect.signature(func)
        raise SystemExit(f"neurosim run {args.experiment}: {err}\nparameters: {sig}") from None
    except ValueError as err:
        raise SystemExit(f"neurosim run {args.experiment}: {err}") from None
    status = _save(result, args.out) if args.out else 0
    if args.out and not status and not args.json:
        print(f"saved to {args.out}")
    if args.json:
        print(result.to_json())
    else:
        for key, value in result.summary.items():
            if isinstance(value, (list, tuple)) and len(value) > 8:
                value = f"[{len(value)} values]"
            print(f"{key}: {value}")
    return status


def _cmd_bench(args, rest) -> int:
    import importlib

    from neurosim.experiments import BENCHMARKS

    if args.name not in BENCHMARKS:
        raise SystemExit(f"unknown benchmark {args.name!r}; benchmarks: {sorted(BENCHMARKS)}")
    module = importlib.import_module(BENCHMARKS[args.name])
    return int(module.main(rest) or 0)


def _parse_range(item: str):
    name, _, text = item.partition("=")
    try:
        values = parse_value(text) if text else None
    except ValueError:
        values = None
    if not name or not isinstance(values, list) or len(values) != 2:
        raise SystemExit(f"--range expects name=low,high, got {item!r}")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise SystemExit(f"--range {item!r}: low and high must be numbers")
    return name.strip(), (float(values[0]), float(values[1]))


def _sweep_inputs(args) -> dict:
    """The keyword arguments of :func:`neurosim.sweep.sweep` given by the command line,
    checked; SystemExit for malformed ones."""
    grid = {
        name: value if isinstance(value, list) else [value]
        for name, value in _named_values(args.grid or [], "--grid").items()
    }
    try:
        seeds = parse_value(args.seeds)
    except ValueError as err:
        raise SystemExit(f"--seeds: {err}") from None
    if not isinstance(seeds, (int, list)) or isinstance(seeds, bool):
        raise SystemExit(f"--seeds expects a number or a list of seeds, got {args.seeds!r}")
    ranges = dict(_parse_range(item) for item in args.range or [])
    if len(ranges) != len(args.range or []):
        raise SystemExit("--range: a name is given twice; give each name once")
    if args.sampler == "grid" and (ranges or args.samples):
        raise SystemExit("--range and --samples need --sampler random or lhs")
    check_out_folder(args.out, "sweep")
    return dict(
        grid=grid,
        seeds=seeds,
        sampler=args.sampler,
        ranges=ranges or None,
        n_samples=args.samples,
        sample_seed=args.sample_seed,
        params=parse_sets(args.set or []),
        out=args.out,
        executor=args.scheduler,
        max_workers=args.workers,
        retries=args.retries,
        retry_errors=args.retry_errors,
        progress=False if args.quiet else None,
        batched=args.batched,
        batch_size=args.batch_size,
    )


def _report(args, df, wall: float) -> int:
    """Print the sweep's counts; the exit status (:data:`RUNS_FAILED` when runs failed)."""
    import json

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
    if summary["error"]:
        print(
            f"neurosim sweep: {summary['error']} of {summary['runs']} runs failed (the "
            "error column says why; --retry-errors runs them again)",
            file=sys.stderr,
        )
        return RUNS_FAILED
    return 0


def _cmd_sweep(args) -> int:
    import time

    from neurosim.experiments import reference
    from neurosim.sweep import resume_hint, sweep

    _experiment(args.experiment, "sweep")
    inputs = _sweep_inputs(args)
    started = time.perf_counter()
    try:
        df = sweep(args.experiment, resolve=reference, **inputs)
    except (ValueError, TypeError, RuntimeError, ConnectionError) as err:
        raise SystemExit(f"neurosim sweep {args.experiment}: {err}") from None
    except KeyboardInterrupt:
        print(
            f"interrupted: {resume_hint(args.out)}; run the same command to resume", file=sys.stderr
        )
        return INTERRUPTED
    return _report(args, df, time.perf_counter() - started)


def _cmd_compare(args) -> int:
    import json

    from neurosim import compare
    from neurosim.efficiency import constants_table

    params = parse_sets(args.set or [])
    if isinstance(args.seeds, bool) or args.seeds < 1:
        raise SystemExit(f"neurosim compare: --seeds {args.seeds} must be >= 1")
    if args.out:
        check_out_folder(args.out, "compare")
    try:
        rows, settings = compare.compare(args.task, args.seeds, **params)
    except ValueError as err:
        raise SystemExit(f"neurosim compare {args.task}: {err}") from None
    result = compare.summary(args.task, args.seeds, rows, settings)
    status = 0
    if args.out:
        try:
            compare.save(result, args.out)
        except OSError as err:
            print(f"neurosim compare: cannot save to {args.out} ({err})", file=sys.stderr)
            status = 1
    print(constants_table())
    for entry in result["learners"]:
        shown = {k: v for k, v in entry.items() if k != "learning_curve"}
        print(
            ", ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()
            )
        )
    if args.out and not status:
        print(f"saved to {args.out}")
    if args.json:
        print(json.dumps(result))
    return status


def _experiment_epilog(argv: list[str]) -> str | None:
    """The parameter list for ``neurosim run|sweep <experiment> --help``."""
    from neurosim.experiments import EXPERIMENTS

    if len(argv) > 1 and argv[0] in ("run", "sweep") and argv[1] in EXPERIMENTS:
        if "-h" in argv or "--help" in argv:
            return experiment_help(argv[1])
    return None


def _sweep_parser(sub, epilog) -> None:
    sw = sub.add_parser(
        "sweep",
        help="run an experiment over a grid of parameters and seeds",
        epilog=epilog or EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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


def _parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurosim", description="neurosim spiking simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list experiments and benchmarks")
    epilog = _experiment_epilog(argv)
    run = sub.add_parser(
        "run",
        help="run an experiment (neurosim run <experiment> --help: its parameters)",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("experiment")
    run.add_argument("--set", action="append", metavar="NAME=VALUE", help="set a parameter")
    run.add_argument("--json", action="store_true", help="print the key numbers as JSON last")
    run.add_argument("--out", metavar="DIR", help="save summary, arrays and figures here")
    bench = sub.add_parser(
        "bench", help="run a benchmark (options, --help too, are its own)", add_help=False
    )
    bench.add_argument("name")
    _sweep_parser(sub, epilog)
    cmp = sub.add_parser(
        "compare",
        help="a task's spiking learner against gradient descent: the efficiency report",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmp.add_argument("task", help="familiarity, imprinting or taste-aversion")
    cmp.add_argument("--seeds", type=int, default=3, help="number of seeds (0..N-1)")
    cmp.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="task parameter, or mlp_<name> for the gradient-descent learner",
    )
    cmp.add_argument("--json", action="store_true", help="print the report as JSON last")
    cmp.add_argument("--out", metavar="DIR", help="save the CSV table and figures here")
    return parser


def main(argv=None) -> int:
    """The ``neurosim`` command (``argv``: its arguments; default ``sys.argv[1:]``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(argv)
    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        return _cmd_bench(args, rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    commands = {"list": _cmd_list, "run": _cmd_run, "sweep": _cmd_sweep, "compare": _cmd_compare}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
