"""graph/memo.py: answers remembered per key, computed once however many threads ask."""

from __future__ import annotations

import threading

import pytest
from served import until

from scrkg.graph import memo as memo_module
from scrkg.graph.memo import Memo


@pytest.fixture
def waiting(monkeypatch):
    """How many threads have started waiting for a computation in progress."""
    events: list[threading.Event] = []
    counted = threading.Lock()
    real_init = memo_module._Pending.__init__

    class Counting(threading.Event):
        waiters = 0

        def wait(self, timeout: float | None = None) -> bool:
            with counted:
                self.waiters += 1
            return super().wait(timeout)

    def init(pending) -> None:
        real_init(pending)
        pending.done = Counting()
        events.append(pending.done)

    monkeypatch.setattr(memo_module._Pending, "__init__", init)
    return lambda: sum(event.waiters for event in events)


def test_remembers_and_forgets_the_least_recently_used():
    memo, calls = Memo(2), []

    def compute(key):
        calls.append(key)
        return key.upper()

    assert [memo.get(k, lambda k=k: compute(k)) for k in "aab"] == ["A", "A", "B"]
    memo.get("a", lambda: compute("a"))  # "a" is now the most recently used
    memo.get("c", lambda: compute("c"))  # so "b" is dropped
    assert "a" in memo and "c" in memo and "b" not in memo
    assert calls == ["a", "b", "c"]


def test_threads_asking_at_once_share_one_computation(waiting):
    memo, calls, release = Memo(4), [], threading.Event()

    def slow():
        calls.append(1)
        release.wait(10)
        return object()

    answers: list[object] = []
    threads = [
        threading.Thread(target=lambda: answers.append(memo.get("k", slow))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    until(lambda: calls and waiting() == 4)  # one computes, the four others wait for it
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and len(answers) == 5 and len({id(a) for a in answers}) == 1


def test_an_error_reaches_every_waiter_and_is_not_remembered(waiting):
    memo, release = Memo(4), threading.Event()

    def failing():
        release.wait(10)
        raise LookupError("the store went away")

    errors: list[BaseException] = []

    def ask():
        try:
            memo.get("k", failing)
        except LookupError as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    until(lambda: waiting() == 2)  # one computes, the two others wait for it
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 3 and "k" not in memo
    assert memo.get("k", lambda: "recovered") == "recovered"


def test_an_error_in_compute_is_raised_to_the_caller():
    with pytest.raises(ZeroDivisionError):
        Memo(1).get("k", lambda: 1 / 0)
