"""The ``newsqa`` command: parse arguments, call the library, print. No logic of its own."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from .errors import NewsQAError
from .models import Answer, BuildReport, Hit, Progress
from .settings import Settings

EXIT_INTERNAL = 70
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a killed writer


def _day(end: bool) -> Callable[[str], datetime]:
    def convert(value: str) -> datetime:
        from .dates import day_bound

        parsed = day_bound(value, end)
        if parsed is None:
            raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD, between "
                                             "the years 1800 and 2200)")
        return parsed

    return convert


def _parser(settings: Settings) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsqa", description="Cited answers from Vietnamese news.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="index a corpus folder (incremental)")
    b.add_argument("--corpus", type=Path, default=settings.corpus_dir)
    b.add_argument("--index", type=Path, default=settings.index_dir)
    b.add_argument("--embedder", default=settings.embedder,
                   help="e5 (default) or sentence-transformers:NAME_OR_PATH")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--json", action="store_true", help="print the build report as JSON")
    b.add_argument("--ray", metavar="ADDRESS", default=settings.ray_address or None,
                   help="embed on a Ray cluster (host:port, ray://host:port, or auto for a "
                   "local Ray started on the spot); needs pip install -e '.[ray]'")
    b.add_argument("--vectors", choices=("sentences", "chunks+sentences"),
                   default=settings.vectors, help="what is embedded (see docs/BENCHMARKS.md)")

    for name, helptext in (("search", "best matching passages"), ("ask", "a cited answer")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("query")
        c.add_argument("--index", type=Path, default=settings.index_dir)
        c.add_argument("-k", type=int, default=settings.top_k)
        c.add_argument("--json", action="store_true")
        c.add_argument("--from", dest="date_from", type=_day(end=False),
                       help="articles on/after DATE")
        c.add_argument("--to", dest="date_to", type=_day(end=True),
                       help="articles on/before DATE (all of that day)")
        c.add_argument("--source", help="only articles whose source contains this")
        c.add_argument("--dated-only", action="store_true",
                       help="with --from/--to, leave out articles without a date")

    e = sub.add_parser("eval", help="evaluate on a SQuAD v1.1 file")
    e.add_argument("file", type=Path)
    e.add_argument("--embedder", default=settings.embedder)
    e.add_argument("-k", type=int, default=settings.top_k)
    e.add_argument("--limit", type=int, help="only the first N questions")
    e.add_argument("--json", action="store_true")
    e.add_argument("--quiet", action="store_true")

    v = sub.add_parser("verify", help="check every index file byte for byte (sha256)")
    v.add_argument("--index", type=Path, default=settings.index_dir)

    s = sub.add_parser("status", help="what an index holds")
    s.add_argument("--index", type=Path, default=settings.index_dir)
    s.add_argument("--json", action="store_true")
    return p


def _progress(quiet: bool) -> Progress | None:
    from .progress import progress_bars, progress_lines

    if quiet:
        return None
    return progress_bars(sys.stderr) if sys.stderr.isatty() else progress_lines(sys.stderr)


def _print_build(report: BuildReport) -> None:
    for w in report.warnings[:50]:
        print(f"warning: {w}", file=sys.stderr)
    if len(report.warnings) > 50:
        print(f"warning: … and {len(report.warnings) - 50} more", file=sys.stderr)
    state = "updated" if report.changed else "up to date, nothing embedded"
    print(f"index {report.index_dir}: {state}\n"
          f"  articles {report.articles} (embedded {report.embedded_articles}, reused "
          f"{report.reused_articles}, removed {report.removed_articles})\n"
          f"  chunks {report.chunks} (embedded {report.embedded_chunks}), sentences "
          f"{report.sentences}\n  {report.seconds:.2f} s (embedding {report.embed_seconds:.2f} s)")


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        print("no matching passage")
    for i, h in enumerate(hits, start=1):
        date = f" · {h.date:%Y-%m-%d}" if h.date else ""
        print(f"{i}. [{h.score:.3f}] {h.title}{date} ({h.article_id} {h.start}-{h.end})")
        print(f"   {h.text[:300]}{'…' if len(h.text) > 300 else ''}")


def _print_filtered(searched: int, excluded: int) -> None:
    if excluded:
        print(f"(filters: {searched} articles searched, {excluded} left out)")


def _print_answer(ans: Answer) -> None:
    if ans.searched_articles:
        _print_filtered(ans.searched_articles, ans.excluded_articles)
    print(ans.text)
    if ans.answer_span:
        print(f"\n→ {ans.answer_span.text}")
    if ans.citations:
        print("\nClosest passages (low confidence):" if ans.abstained else "\nSources:")
    for c in ans.citations:
        date = f", {c.date:%Y-%m-%d}" if c.date else ""
        print(f"[{c.n}] {c.title}{date} ({c.article_id}, {c.start}-{c.end})\n    “{c.quote}”")


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code. Library errors become a message and a code."""
    import newsqa

    settings = Settings()
    args = _parser(settings).parse_args(argv)
    if args.command == "build":
        settings = settings.model_copy(update={"ray_address": args.ray or "",
                                               "vectors": args.vectors})
        report = newsqa.build_index(args.corpus, args.index, args.embedder, settings=settings,
                                    progress=_progress(args.quiet or args.json))
        if args.json:
            print(report.model_dump_json(indent=2))
        else:
            _print_build(report)
    elif args.command == "search":
        qa = newsqa.load(args.index, settings=settings)
        filters = {"date_from": args.date_from, "date_to": args.date_to,
                   "source": args.source, "include_undated": not args.dated_only}
        hits = qa.search(args.query, k=args.k, **filters)
        if args.json:
            print(json.dumps([h.model_dump(mode="json") for h in hits], ensure_ascii=False,
                             indent=2))
        else:
            _print_filtered(*qa.filter_counts(**filters))
            _print_hits(hits)
    elif args.command == "ask":
        ans = newsqa.load(args.index, settings=settings).ask(
            args.query, k=args.k, date_from=args.date_from, date_to=args.date_to,
            source=args.source, include_undated=not args.dated_only)
        if args.json:
            print(ans.model_dump_json(indent=2))
        else:
            _print_answer(ans)
    elif args.command == "eval":
        from .evaluate import evaluate

        figures = evaluate(args.file, embedder=args.embedder, k=args.k, limit=args.limit,
                           settings=settings, progress=_progress(args.quiet)).to_json()
        if args.json:
            print(json.dumps(figures))
        else:
            for key, value in figures.items():
                print(f"{key:<16} {value}")
    elif args.command == "verify":
        checked = newsqa.verify_index(args.index)
        print(f"index {checked['index_dir']}: intact ({checked['files']} files, "
              f"{checked['bytes'] / 1e6:.1f} MB, {checked['articles']} articles checked)")
    elif args.command == "status":
        info = newsqa.load(args.index, settings=settings).status()
        print(json.dumps(info, ensure_ascii=False, indent=2) if args.json else
              "\n".join(f"{k:<10} {v}" for k, v in info.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsqa`` console script."""
    # Text that cannot be encoded (invalid UTF-8 passed in by the shell) prints as U+FFFD.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        code = run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`newsqa ask … | head`): stop quietly, as Unix tools do, and
        # keep the interpreter's last flush of stdout from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the CLI never shows a traceback to the user
        if os.environ.get("NEWSQA_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set NEWSQA_DEBUG=1 for details; "
              "please report it)", file=sys.stderr)
        return EXIT_INTERNAL
