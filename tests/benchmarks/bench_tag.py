"""Benchmark of `scrkg tag`'s first steps: reading a review PDF, and reading and tagging it.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_tag.py                  # 100 and 400 pages
    .venv/bin/python tests/benchmarks/bench_tag.py --sizes 10,100,400 --repeat 3

For each size it writes a PDF of that many pages with fpdf2 (about 400 words a page of
fictional review prose: agencies, risk factors, lessons, some of it negated, with headings and
paragraphs) and then, each in a fresh child process so that the peak memory is that step's own:

* ``text``: ``open_document`` and every page's text (pdfium's text layer, paragraphs, no
  sentences), to show what the sentence splitter costs on top;
* ``read``: ``open_document`` and every sentence of ``Document.sentences()``;
* ``tag``: the same, fed to ``Tagger.from_ontology().suggest(doc.sentences(), doc.source)``
  (the lexicon compiled first, timed apart); when the tagger is not there yet it says so.

A child that runs past ``--timeout`` seconds is ended and its step reported as not finished.

Figures printed per step: pages, seconds (median of ``--repeat`` runs), pages per second,
items (pages, sentences or suggestions), the child's peak resident memory (``ru_maxrss``, pdfium's
own memory included), its growth over the peak just before the step (after the imports), and the
peak of Python's allocations during the step (``tracemalloc``, in a second, untimed run).
The target: a 100-page review read and tagged in under 5 s on a 2-core machine, and memory that
does not grow with the pages.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 5.0

AGENCIES = [
    "the police",
    "the health visitor",
    "the GP practice",
    "the school",
    "children's social care",
    "the midwifery service",
    "the emergency department",
    "the adult mental health service",
    "the housing provider",
    "the substance misuse service",
    "the probation service",
    "the early help team",
]
RISKS = [
    "domestic abuse",
    "parental mental ill health",
    "parental substance misuse",
    "neglect",
    "a bruise to a non-mobile baby",
    "unsafe sleeping",
    "young parents with little support",
    "frequent moves of home",
    "missed health appointments",
    "criminal exploitation",
]
LESSONS = [
    "multi-agency working",
    "information sharing",
    "professional curiosity",
    "the voice of the child",
    "supervision and challenge",
    "escalation of concerns",
    "the assessment of fathers and partners",
    "recording and chronology",
]
PEOPLE = ["Child A", "Baby B", "the mother", "the father", "the mother's partner", "Sibling C"]
SENTENCES = [
    "{agency} knew about {risk} but did not share it with {agency2}.",
    "There was no evidence of {risk} when {agency} visited {person} in the spring.",
    "{agency} saw {person} several times, and each visit was recorded as routine.",
    "The review found that {risk} was a feature of the family's life for some years.",
    "It was not clear who held the plan for {person}, and nobody asked {agency2}.",
    "{agency} referred the family to {agency2}, but the referral was not followed up.",
    "The panel considered whether {risk} had been recognised and concluded that it had not.",
    "A strategy discussion should have been held when {agency} learned of {risk}.",
    "Practitioners did not see {risk} as a risk to {person}, though the signs were there.",
    "{person} was not seen alone by {agency}, so their views were never heard.",
    "Lessons: {lesson} must improve so that {risk} is noticed and acted upon.",
    "The review did not find that {agency} ruled out {risk} without good reason.",
    "Good practice: {agency} showed {lesson} when it escalated the concern to {agency2}.",
    "Learning for the partnership is about {lesson} and about {risk}.",
]
HEADINGS = ["Background", "Key practice episodes", "Analysis", "Findings", "Lessons learned"]


def page_text(rng: random.Random, words: int = 400) -> str:
    """About ``words`` words of fictional review prose: a heading, then paragraphs."""
    paragraphs = [rng.choice(HEADINGS)]
    count = 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            template = rng.choice(SENTENCES)
            agency, agency2 = rng.sample(AGENCIES, 2)
            sentence = template.format(
                agency=agency,
                agency2=agency2,
                risk=rng.choice(RISKS),
                lesson=rng.choice(LESSONS),
                person=rng.choice(PEOPLE),
            )
            sentences.append(sentence[0].upper() + sentence[1:])
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n".join(paragraphs)


def make_review_pdf(path: Path, pages: int, seed: int = 7) -> Path:
    sys.path.insert(0, str(TESTS))
    from documents import make_pdf

    rng = random.Random(seed)
    return make_pdf(path, [page_text(rng) for _ in range(pages)], font_size=10)


def child(step: str, path: str) -> dict:
    """One step in this process; returns its figures (run in a fresh child per step)."""
    from scrkg.loader.documents import open_document

    tagger = None
    lexicon_seconds = None
    if step == "tag":
        from scrkg.loader.tagging import Tagger

        started = time.perf_counter()
        try:
            tagger = Tagger.from_ontology()
        except NotImplementedError:
            return {"step": step, "available": False}
        lexicon_seconds = time.perf_counter() - started

    def run() -> tuple[int | None, int]:
        document = open_document(path)
        if step == "text":
            return document.pages, sum(1 for _ in document.page_texts())
        if step == "read":
            return document.pages, sum(1 for _ in document.sentences())
        suggestions = tagger.suggest(document.sentences(), document.source)
        return document.pages, sum(1 for _ in suggestions)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        pages, count = run()
    except NotImplementedError:
        return {"step": step, "available": False}
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Again, untimed, with tracemalloc: the peak of Python's own allocations during the step.
    tracemalloc.start()
    run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "step": step,
        "available": True,
        "pages": pages,
        "seconds": seconds,
        "count": count,
        "lexicon_seconds": lexicon_seconds,
        "peak_kib": peak,
        "growth_kib": peak - before,
        "traced_kib": traced_peak / 1024,
    }


def run_child(step: str, path: Path, timeout: float) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", step, str(path)],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has ended the child
        return {"step": step, "available": True, "timed_out": True}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,400", help="page counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (median printed)")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds one child may take (default 300)"
    )
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PDF"), help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=2, metavar=("PAGES", "PDF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    if args.make:
        make_review_pdf(Path(args.make[1]), int(args.make[0]))
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"bench_tag: {', '.join(map(str, sizes))} pages, median of {args.repeat} runs each")
    print(
        f"{'step':<6} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'items':>8} "
        f"{'maxrss MiB':>10} {'growth MiB':>10} {'traced MiB':>10}"
    )
    tagging_missing = False
    with tempfile.TemporaryDirectory(prefix="bench-tag-") as work:
        for size in sizes:
            started = time.perf_counter()
            # Made in a child too: Linux keeps a process's peak memory across fork and exec, so
            # this process stays small for the children's figures to be their own.
            pdf = Path(work) / f"review-{size}.pdf"
            subprocess.run([sys.executable, __file__, "--make", str(size), str(pdf)], check=True)
            made = time.perf_counter() - started
            print(f"  (made {pdf.name}: {pdf.stat().st_size / 2**20:.1f} MiB in {made:.1f} s)")
            for step in ("text", "read", "tag"):
                runs = [run_child(step, pdf, args.timeout) for _ in range(args.repeat)]
                if any(run.get("timed_out") for run in runs):
                    print(f"{step:<6} {size:>6}  did not finish in {args.timeout:.0f} s")
                    continue
                if not runs[0]["available"]:
                    tagging_missing = True
                    print(
                        f"{step:<6} {size:>6}  the tagging step is not available yet "
                        f"(Tagger raises NotImplementedError); reading only"
                    )
                    continue
                seconds = statistics.median(run["seconds"] for run in runs)
                last = runs[-1]
                note = ""
                if step == "tag":
                    note = f"  (lexicon compiled in {last['lexicon_seconds']:.2f} s, apart)"
                if size == 100 and step in ("read", "tag"):
                    verdict = "within" if seconds < TARGET_SECONDS else "OVER"
                    note += f"  {verdict} the {TARGET_SECONDS:.0f} s target"
                print(
                    f"{step:<6} {size:>6} {seconds:>8.2f} {size / seconds:>8.0f} "
                    f"{last['count']:>8} {last['peak_kib'] / 1024:>10.1f} "
                    f"{last['growth_kib'] / 1024:>10.1f} {last['traced_kib'] / 1024:>10.2f}{note}"
                )
    if tagging_missing:
        print("tagging: not timed (loader/tagging.py's Tagger is not implemented yet)")


if __name__ == "__main__":
    main()
