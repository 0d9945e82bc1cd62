"""Command line: argument parsing, output and exit codes only."""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path
from typing import Any

from garden.core.controls import printable
from garden.core.version import DISTRIBUTION, VERSION

COMMANDS = ("build", "check", "new", "init", "import", "serve")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--notes", type=Path, metavar="DIR", help="notes folder (default: from garden.yaml, else notes/)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: _site/)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="site config (default: ./garden.yaml)")
    parser.add_argument("--base-url", metavar="URL", help="site URL, e.g. https://user.github.io/garden/")
    parser.add_argument(
        "--strict", action="store_true", help="warnings fail the build (planned notes excepted)"
    )
    parser.add_argument("--drafts", action="store_true", help="include notes with draft: true")
    parser.add_argument("--cache-dir", type=Path, metavar="DIR", help="build cache (default: .garden-cache/)")
    parser.add_argument("--no-cache", action="store_true", help="build from scratch; read and write no cache")
    parser.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: one per core)"
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="also list planned notes")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="garden",
        description="Build a linked digital garden of Markdown notes into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"garden {VERSION} ({DISTRIBUTION})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site into _site/ (the default)")
    _common(build)
    # without a command garden builds: its help shows the build options too
    options = build.format_help().split("\n\n", 1)[1].splitlines()
    options = [line for line in options[1:] if not line.lstrip().startswith("-h, --help")]
    parser.epilog = "Without a COMMAND, garden builds. Build options:\n" + "\n".join(options)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    check = commands.add_parser("check", help="check the notes and print problems; write nothing")
    _common(check)
    new = commands.add_parser("new", help="scaffold a new note")
    new.add_argument("title", help="the note's title")
    new.add_argument("--section", help="taxonomy path, e.g. models/nngp-ntk")
    new.add_argument("--notes", type=Path, metavar="DIR")
    new.add_argument("--config", type=Path, metavar="FILE")
    new.add_argument("--tags", default="", help="comma-separated tags")
    init = commands.add_parser("init", help="make a folder a garden: config, .gitignore, Pages workflow")
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), help="the folder (default: here)")
    init.add_argument("--notes", default="notes", metavar="NAME", help="its notes folder (default: notes)")
    init.add_argument("--title", help="the site's title (default: from the folder's name)")
    init.add_argument(
        "--install",
        metavar="SPEC",
        help="the pip requirement the Pages workflow installs garden from, written to requirements.txt "
        "(default: where this garden was installed from, e.g. a git URL and commit)",
    )
    from garden.sources.importing.command import add_parser as add_import

    add_import(commands)
    serve = commands.add_parser("serve", help="build, then serve the site locally")
    _common(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind, IPv4 or IPv6 (default: 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; a free one if taken)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument(
        "--poll", action="store_true", help="poll for changes (WSL, network drives, containers)"
    )
    return parser


class ProgressBar:
    """A progress bar on a terminal, shown only once a build has run for ~2 seconds."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.perf_counter() - self.started < 2.0:
            return
        if done != total and done % max(total // 100, 1):
            return
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r  rendering [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def _options(args: argparse.Namespace, write: bool):
    from garden.build.inputs import BuildOptions

    return BuildOptions(
        config_path=args.config,
        notes_dir=args.notes,
        out_dir=args.out,
        base_url=args.base_url,
        drafts=args.drafts,
        strict=args.strict,
        write=write,
        cache_dir=args.cache_dir,
        no_cache=args.no_cache,
        jobs=args.jobs,
    )


def run_build(args: argparse.Namespace, write: bool) -> int:
    import time

    from garden.build.inputs import gather_inputs, unchanged_result

    started = time.perf_counter()
    if args.config is not None and not args.config.is_file():
        print(
            f"{printable(str(args.config))}: error: config file not found\n"
            "    hint: pass an existing garden.yaml",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    options = _options(args, write)
    inputs = gather_inputs(options)
    result = unchanged_result(inputs, options, started)
    if result is None:  # something changed: now pay for the heavy imports
        from garden.build.builder import build_site

        bar = ProgressBar(enabled=not args.quiet)
        result = build_site(options, progress=bar, inputs=inputs)
        bar.finish()
    return print_result(args, result, write)


def print_result(args: argparse.Namespace, result, write: bool) -> int:
    """Print a build's problems and its one summary line; return the exit code."""
    problems = result.problems.sorted()
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    shown = errors if args.quiet else problems
    for problem in shown:
        print(problem.format(), file=sys.stderr)
    if result.planned and not args.quiet and args.verbose:
        print(
            f"{result.planned} planned notes are linked but not written yet (see /planned/):", file=sys.stderr
        )
        for line in result.planned_notes:
            print(f"  {line}", file=sys.stderr)
    if write and result.written and result.no_host and not args.quiet:
        print(
            "note: the base URL has no host, so the canonical and og:url links, og:image and the "
            "sitemap's <loc> are relative (link previews and sitemaps need absolute URLs)\n"
            "    hint: to publish, build with --base-url https://USER.github.io/REPO/ "
            "(or set base_url: or cname: in garden.yaml)",
            file=sys.stderr,
        )
    failed = bool(errors) or (args.strict and bool(warnings))
    if not args.quiet or failed:
        verb = "Checked" if not write else ("Built" if result.written else "Build failed:")
        where = f" → {printable(_rel(result.out_dir))}" if result.written else ""
        pages = f"{result.pages} pages from " if write else ""
        summary = (
            f"{verb} {pages}{result.notes} notes in {result.seconds:.2f} s: "
            f"{len(errors)} error{'s' * (len(errors) != 1)}, "
            f"{len(warnings)} warning{'s' * (len(warnings) != 1)}, "
            f"{result.planned} planned notes{where}"
        )
        if result.config_used:
            summary += f" ({result.config_used})"
        if write and not result.written and not errors and args.strict:
            summary += " (--strict: warnings fail the build)"
        if write and failed and not result.written:
            summary += "; the previous site is untouched"
        print(summary, file=sys.stderr if failed else sys.stdout)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _rel(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


def make_preview(options: Any, host: str = "127.0.0.1", port: int = 8000, poll: bool = False) -> Any:
    """The preview server, given a builder kept alive (its first build runs in full, so that
    the quick rebuilds that follow know the whole garden)."""
    return _preview_and_builder(options, host, port, poll)[0]


def _preview_and_builder(options: Any, host: str, port: int, poll: bool) -> tuple[Any, Any]:
    from garden.build.builder import Builder
    from garden.build.inputs import config_for
    from garden.core.problems import Problems
    from garden.serve.preview import Preview, PreviewSite

    builder = Builder(options)
    builder.in_place = True
    config = config_for(options, Problems())
    site = PreviewSite(
        root=config.out_dir,
        base_url=config.base_url,
        watched=(
            config.notes_dir,
            config.templates_dir,
            config.static_dir,
            *config.math_preamble,
            *config.scholarly.bibliography,
        ),
        config_file=config.path,
        ignored=(config.out_dir, config.root / ".garden-cache"),
    )
    first = [True]

    def build() -> Any:
        full, first[0] = first[0], False
        return builder.build(full=full)

    return Preview(build, site, host, port, poll, settle=builder.settle, close=builder.close), builder


def run_serve(args: argparse.Namespace) -> int:
    import threading
    import webbrowser

    options = _options(args, write=True)
    preview, builder = _preview_and_builder(options, args.host, args.port, args.poll)
    result = preview.build()
    print_result(args, result, write=True)
    served = result.written or builder.manifest or result.unchanged
    if not served and not (preview.site_root / "index.html").is_file():
        print("error: the build failed and there is no earlier site to serve", file=sys.stderr)
        preview.stop()
        return 1
    url = preview.start()
    if preview.moved:
        print(f"port {args.port} is taken; using {preview.port} instead")
    if args.host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        print(
            f"warning: serving on {args.host}: other machines on the network can read the site",
            file=sys.stderr,
        )
    print(f"Serving {preview.site_root} at {url}  (watching for changes; Ctrl-C stops)", flush=True)
    preview.on_built = lambda built: print_result(args, built, write=True)
    if args.open:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        preview.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        close = difflib.get_close_matches(argv[0], COMMANDS, n=1)
        hint = f"; did you mean `garden {close[0]}`?" if close else ""
        print(
            f"garden: error: unknown command {argv[0]!r}{hint} (commands: {', '.join(COMMANDS)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]  # options alone build: `garden --notes DIR`
    args = make_parser().parse_args(argv)
    try:
        if args.command == "new":
            from garden.sources.scaffold import run_new

            return run_new(args)
        if args.command == "init":
            from garden.sources.scaffold import run_init

            return run_init(args)
        if args.command == "import":
            from garden.sources.importing.command import run_import

            return run_import(args)
        if args.command == "serve":
            return run_serve(args)
        return run_build(args, write=args.command == "build")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
