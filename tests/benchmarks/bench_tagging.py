"""How well the tagger (loader/tagging.py) suggests the concepts an analyst would code.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_tagging.py               # every labelled file
    .venv/bin/python tests/benchmarks/bench_tagging.py --only tuning-blind --show tuning-blind
                                                      # one tuning file, with its mistakes

The labelled files, each described in tests/data/tagging/README.md: tests/data/tagging/tuning.jsonl
(written beside the lexicon and used to tune it), tuning-blind.jsonl, tuning-blind-2.jsonl and
tuning-blind-3.jsonl (written blind to the lexicon, each scored once as it came, then used to tune
it too), held-out.jsonl, held-out-2.jsonl and held-out-3.jsonl (written apart from the lexicon and
scored by someone else, then retired to tuning in the fifth round) and held-out-4.jsonl (held out:
never used to tune; tune with ``--only`` on a tuning file, which scores that file and prints
nothing of the others). For every
passage the tagger's set of concepts of a scheme is compared with the expected set, where the
passage gives one (a scheme given as ``[]`` expects nothing, so anything suggested is a false
positive; a scheme left out is not scored). Precision, recall and F1 are micro-averaged over the
passages, per scheme and over the three core schemes together (risk factors, maltreatment types,
agency types). Suggestions below the default least confidence of ``scrkg tag``
(``MIN_CONFIDENCE`` of loader/tagging.py, ``--min-confidence`` here) are not counted, as the
command does not write them; for the tuning files only, a table of the core three's precision
and recall at other thresholds is printed too (the held-out files are never scored but at the
default). Also printed: how fast the tagger reads a document of about 3,000 sentences (the
passages, repeated).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrkg.loader.documents import split_text
from scrkg.loader.tagging import MIN_CONFIDENCE, Tagger

DATA = Path(__file__).resolve().parents[1] / "data" / "tagging"
FILES = {
    "tuning": DATA / "tuning.jsonl",
    "tuning-blind": DATA / "tuning-blind.jsonl",
    "tuning-blind-2": DATA / "tuning-blind-2.jsonl",
    "tuning-blind-3": DATA / "tuning-blind-3.jsonl",
    "held-out": DATA / "held-out.jsonl",
    "held-out-2": DATA / "held-out-2.jsonl",
    "held-out-3": DATA / "held-out-3.jsonl",
    "held-out-4": DATA / "held-out-4.jsonl",
}
#: The files the lexicon and the rules were tuned on: the three held-out files of the first four
#: rounds, each scored by someone else, were retired to tuning in the fifth; held-out-4 never was.
TUNING = (
    "tuning",
    "tuning-blind",
    "tuning-blind-2",
    "tuning-blind-3",
    "held-out",
    "held-out-2",
    "held-out-3",
)
CORE = ("risk-factors", "maltreatment-types", "agency-types")


@dataclass
class Score:
    """True positives, false positives and false negatives, and the mistakes behind them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def passages(path: Path) -> list[dict]:
    """The labelled passages of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def predicted(
    tagger: Tagger, text: str, min_confidence: float = MIN_CONFIDENCE
) -> dict[str, set[str]]:
    """The concepts the tagger suggests for a passage at ``min_confidence`` or more, by scheme."""
    found: dict[str, set[str]] = {}
    for suggestion in tagger.suggest_text(text):
        if suggestion.confidence >= min_confidence:
            found.setdefault(suggestion.scheme, set()).add(suggestion.code)
    return found


def score(
    tagger: Tagger, rows: list[dict], min_confidence: float = MIN_CONFIDENCE
) -> dict[str, Score]:
    """Scores per scheme over the passages (micro-averaged)."""
    scores: dict[str, Score] = {}
    for row in rows:
        found = predicted(tagger, row["text"], min_confidence)
        for scheme, expected in row["expect"].items():
            got, want = found.get(scheme, set()), set(expected)
            s = scores.setdefault(scheme, Score())
            s.tp += len(got & want)
            s.fp += len(got - want)
            s.fn += len(want - got)
            if got != want:
                s.mistakes.append(
                    f"{row['id']} {scheme}: extra {sorted(got - want)} missing "
                    f"{sorted(want - got)}\n    {row['text']}"
                )
    return scores


def core(scores: dict[str, Score]) -> Score:
    """The three core schemes together."""
    total = Score()
    for scheme in CORE:
        total.add(scores.get(scheme, Score()))
    return total


def speed(tagger: Tagger, rows: list[dict], target: int = 3000) -> tuple[int, float, float]:
    """Sentences tagged, and the seconds taken (on the clock and of this process's CPU time, which
    other work on the machine does not inflate), for a document of ``target`` sentences."""
    sentences = [s for row in rows for s in split_text(row["text"])]
    document = (sentences * (target // max(1, len(sentences)) + 1))[:target]
    began, cpu = time.perf_counter(), time.process_time()
    for _ in tagger.suggest(document, "bench"):
        pass
    return len(document), time.perf_counter() - began, time.process_time() - cpu


def report(name: str, scores: dict[str, Score], rows: int) -> None:
    print(f"\n{name}: {rows} passages")
    print(f"  {'scheme':24} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for scheme in sorted(scores, key=lambda s: (s not in CORE, s)):
        s = scores[scheme]
        print(
            f"  {scheme:24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
            f"{s.tp:4d}{s.fp:4d}{s.fn:4d}"
        )
    t = core(scores)
    print(
        f"  {'core three (total)':24} {t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} "
        f"{t.tp:4d}{t.fp:4d}{t.fn:4d}"
    )


THRESHOLDS = (0.0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def thresholds(tagger: Tagger, rows: list[dict]) -> None:
    """The core three's precision and recall at each of :data:`THRESHOLDS` (tuning files only)."""
    print(f"  {'min confidence':>14} {'P':>6} {'R':>6} {'F1':>6}")
    for t in THRESHOLDS:
        c = core(score(tagger, rows, t))
        mark = "  <- default" if t == MIN_CONFIDENCE else ""
        print(f"  {t:14.2f} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", choices=sorted(FILES), help="print the mistakes on this file")
    parser.add_argument(
        "--only", choices=sorted(FILES), help="score this file only (tune on tuning only)"
    )
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=MIN_CONFIDENCE,
        help=f"count suggestions at this confidence or more (default {MIN_CONFIDENCE})",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    tagger = Tagger.from_ontology()
    print(f"lexicon compiled in {time.perf_counter() - began:.2f} s")
    all_rows = []
    for name, path in FILES.items():
        if args.only and name != args.only:
            continue
        if not path.exists():
            print(f"\n{name}: {path.name} is not there")
            continue
        rows = passages(path)
        all_rows += rows
        scores = score(tagger, rows, args.min_confidence)
        report(f"{name} (min confidence {args.min_confidence})", scores, len(rows))
        if name in TUNING:
            thresholds(tagger, rows)
        if args.show == name:
            for _, s in sorted(scores.items()):
                for mistake in s.mistakes:
                    print("  " + mistake)
    count, seconds, cpu = speed(tagger, all_rows)
    print(
        f"\nspeed: {count} sentences in {seconds:.2f} s ({count / seconds:,.0f} sentences/s), "
        f"{cpu:.2f} s of CPU time ({count / cpu:,.0f} sentences/s)"
    )


if __name__ == "__main__":
    main()
