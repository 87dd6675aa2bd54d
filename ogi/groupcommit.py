"""Group commit: writes that arrive while another is being committed are saved together in the
next transaction, so that a burst costs a few commits instead of one each (the commit — a
flush to disk, on PostgreSQL the event table's lock — is most of a small write's time).

The first caller of a key to find no commit running takes every write queued under that key
and commits them; the callers whose writes it took wait for the outcome and return it as
their own. Each caller returns only after the transaction holding its write committed."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Commits everything given in one transaction if it can; returns each write's result or the
# exception that write alone should raise, in the order given.
CommitAll = Callable[[Sequence[T]], Sequence[R | BaseException]]


@dataclass
class _Waiting(Generic[T, R]):
    item: T
    outcome: R | BaseException | None = None
    done: bool = False


@dataclass
class _Group(Generic[T, R]):
    queue: list[_Waiting[T, R]] = field(default_factory=list)
    queued: threading.Lock = field(default_factory=threading.Lock)
    committing: threading.Lock = field(default_factory=threading.Lock)


class GroupCommit(Generic[T, R]):
    def __init__(self, commit_all: CommitAll[T, R]) -> None:
        self.commit_all = commit_all
        self._groups: defaultdict[Hashable, _Group[T, R]] = defaultdict(_Group)
        self._made = threading.Lock()

    def __call__(self, key: Hashable, item: T) -> R:
        """Commit `item` with whatever else is waiting under `key`; its result, or raise."""
        with self._made:
            group = self._groups[key]
        waiting: _Waiting[T, R] = _Waiting(item)
        with group.queued:
            group.queue.append(waiting)
        with group.committing:
            if not waiting.done:  # nobody took it while this caller waited: take all there are
                with group.queued:
                    taken, group.queue = group.queue, []
                self._commit(taken)
        if isinstance(waiting.outcome, BaseException):
            raise waiting.outcome
        return waiting.outcome  # type: ignore[return-value] # done: set by _commit

    def _commit(self, taken: list[_Waiting[T, R]]) -> None:
        outcomes: Sequence[R | BaseException] = [
            RuntimeError("提交中断（the commit was interrupted）")
        ] * len(taken)
        try:
            outcomes = self.commit_all([w.item for w in taken])
        except Exception as error:  # every caller gets what stopped the commit
            outcomes = [error] * len(taken)
        finally:
            for waiting, outcome in zip(taken, outcomes, strict=True):
                waiting.outcome, waiting.done = outcome, True
