"""How well the personal-data guard (loader/guard.py) separates personal data from review prose.

Run it from the project root (it prints its figures; it asserts nothing):

    .venv/bin/python tests/benchmarks/bench_guard.py            # figures for dev and test
    .venv/bin/python tests/benchmarks/bench_guard.py --show dev # and the mistakes on dev

The labelled set is tests/data/guard/labelled.csv: short synthetic texts, each labelled
``personal`` (a name, date, NHS number, postcode, phone number, National Insurance number, street
address or e-mail address) or ``none`` (sentences phrased like safeguarding reviews, agency names,
ids and codes). The guard was tuned on the ``dev`` rows only; ``test`` rows measure it. Each text
is read as free text (``personal_value(text, free_text=True)``), as a CSV board name or an RDF
literal is. Also printed: the hits on the bundled data (there should be none) and the time the
guard takes on the slowest 1 MB adversarial value of tests/test_guard.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrkg.loader.guard import personal_value

TESTS = Path(__file__).resolve().parents[1]
LABELLED = TESTS / "data" / "guard" / "labelled.csv"


@dataclass
class Score:
    """Counts of one split: true and false positives, false negatives, true negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def labelled_rows() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def score(split: str) -> Score:
    """The guard's counts on one split of the labelled set."""
    result = Score()
    for row in labelled_rows():
        if row["split"] != split:
            continue
        found = personal_value(row["text"], free_text=True)
        personal = row["label"] == "personal"
        if personal and found:
            result.tp += 1
        elif personal:
            result.fn += 1
            result.mistakes.append(f"missed ({row['kind']}): {row['text']}")
        elif found:
            result.fp += 1
            result.mistakes.append(f"false positive ({found}): {row['text']}")
        else:
            result.tn += 1
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=["dev", "test"], help="list the mistakes on a split")
    args = parser.parse_args()
    for split in ("dev", "test"):
        s = score(split)
        print(
            f"{split:4}  precision {s.precision:.3f}  recall {s.recall:.3f}  "
            f"(true positives {s.tp}, false positives {s.fp}, missed {s.fn}, "
            f"true negatives {s.tn})"
        )
        if args.show == split:
            for mistake in s.mistakes:
                print("   ", mistake)
    sys.path.insert(0, str(TESTS))
    from test_guard import ADVERSARIAL, bundled_hits  # the same data as the tests

    print(f"hits on the bundled data: {len(bundled_hits())}")
    times = {}
    for name, value in ADVERSARIAL.items():
        start = time.perf_counter()
        personal_value(value, free_text=True)
        times[name] = time.perf_counter() - start
    slowest = max(times, key=times.__getitem__)
    print(f"slowest 1 MB adversarial value: {slowest!r}, {times[slowest]:.2f} s (whole guard)")


if __name__ == "__main__":
    main()
