"""The command line: build, serve, check, graph, deploy, init."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from kbgen import __version__

EXIT_OK, EXIT_WARNINGS, EXIT_USAGE = 0, 1, 2
COMMAND_MODULES = ("serve", "check", "deploy", "scaffold")
"""Modules that register a command of their own (add_command): serve, check, deploy, init."""


def main(argv: list[str] | None = None) -> int:
    own = argv is None  # the process's own command line, not a caller in Python
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    # `build` and `graph` need none of the other commands' modules (serve alone imports watchdog)
    parser = _parser(others=command not in ("build", "graph"))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code = int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    if own and args.func is cmd_build:
        leave(code)
    return code


def leave(code: int) -> NoReturn:
    """End the process without freeing what the build made object by object, which Python's own
    exit does: at 10 000 notes that took 2-3 s after the site was written. What that exit does
    that matters is done first: other threads finish, atexit handlers run (multiprocessing's,
    temporary folders'), buffered output is written."""
    import atexit
    import os
    import threading
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more to say there
    os._exit(code)


def _parser(others: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kbgen", description="Build a static study site from an Obsidian vault.")
    p.add_argument("--version", action="version", version=f"kbgen {__version__}")
    sub = p.add_subparsers(metavar="COMMAND")

    b = sub.add_parser("build", help="build the site (default vault: the current folder)")
    _vault_args(b)
    b.add_argument("--out", type=Path, help="output folder (default: VAULT/site)")
    b.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    b.add_argument("--base-url", help="absolute URL the site is published at")
    b.add_argument("--force", action="store_true", help="write into a non-empty folder kbgen did not make")
    b.add_argument("--no-cache", action="store_true", help="ignore and do not write the parse cache")
    b.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    b.add_argument("--quiet", "-q", action="store_true", help="print only diagnostics")
    b.add_argument("--jobs", "-j", type=int, help="worker processes (default: one per core)")
    b.set_defaults(func=cmd_build)

    g = sub.add_parser("graph", help="export the link graph")
    _vault_args(g)
    g.add_argument("--format", choices=["json", "graphml"], default="json")
    g.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    g.set_defaults(func=cmd_graph)

    for module in COMMAND_MODULES if others else ():
        try:
            mod = __import__(f"kbgen.{module}", fromlist=["add_command"])
        except ImportError:
            continue
        mod.add_command(sub)
    return p


def _vault_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("vault", nargs="?", type=Path, default=Path("."), help="vault folder (default: .)")
    p.add_argument("--config", type=Path, help="config file (default: VAULT/kbgen.toml)")


def cmd_build(args: argparse.Namespace) -> int:
    import jinja2

    from kbgen.build import Builder
    from kbgen.config import ConfigError
    from kbgen.diagnostics import report
    from kbgen.parallel import WorkerDied
    from kbgen.write import OutputError

    try:
        builder = Builder(args.vault, args.out, config_file=args.config, quiet=args.quiet,
                          force=args.force, base_url=args.base_url, jobs=args.jobs,
                          search=False if args.no_search else None, cache=not args.no_cache,
                          rebuilds=False)
        result = builder.build()
    except (ConfigError, OutputError) as exc:
        print(f"kbgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WorkerDied as exc:  # the previous site stays as it was
        print(f"kbgen: error: {exc}", file=sys.stderr)
        return EXIT_WARNINGS
    except jinja2.TemplateError as exc:  # a broken theme: say where, keep the old site
        from kbgen.livereload import describe
        where = describe(exc, builder.root)
        print(f"{where['file'] or 'theme'}:{where['line']}: template: {where['message']}", file=sys.stderr)
        return EXIT_WARNINGS
    report(result.diagnostics)
    if not args.quiet:
        print(summary(result, builder.out), file=sys.stderr)
    if result.errors or (args.strict and result.warnings):
        return EXIT_WARNINGS
    return EXIT_OK


def summary(result: object, out: Path) -> str:
    r = result  # BuildResult
    return (f"kbgen: {r.notes} notes → {r.pages} pages in {out} ({r.rendered} rendered)\n"  # type: ignore[attr-defined]
            f"       {r.links} links, {r.unresolved} unresolved, "  # type: ignore[attr-defined]
            f"{r.missing_attachments} missing attachments, "  # type: ignore[attr-defined]
            f"{r.warnings} warnings, {r.errors} errors, {r.seconds:.2f} s")  # type: ignore[attr-defined]


def cmd_graph(args: argparse.Namespace) -> int:
    from kbgen.build import Builder
    import networkx as nx

    builder = Builder(args.vault, None, config_file=args.config, quiet=True, search=False)
    site, _ = builder.collect()
    if args.format == "json":
        text = json.dumps(site.graph.obsidian_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    else:
        text = "\n".join(nx.generate_graphml(site.graph.plain())) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK
