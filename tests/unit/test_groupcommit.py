"""Group commit (ogi.groupcommit): writes that arrive while one is committed share the next
transaction; each caller gets its own result, or its own error, only after its commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from ogi.groupcommit import GroupCommit


class Store:
    """Commits take a while (as a flush to disk does); records what each transaction held."""

    def __init__(self) -> None:
        self.transactions: list[list[int]] = []
        self.committed: set[int] = set()
        self.lock = threading.Lock()

    def commit_all(self, items: Sequence[int]) -> list[int | BaseException]:
        time.sleep(0.02)
        with self.lock:
            self.transactions.append(list(items))
            self.committed |= set(items)
        return [ValueError(f"{n} is refused") if n % 10 == 7 else n * 2 for n in items]


def test_writes_arriving_together_share_transactions_and_each_gets_its_own_outcome() -> None:
    store = Store()
    arrived = threading.Semaphore(0)
    first = threading.Event()

    def commit_all(items: Sequence[int]) -> list[int | BaseException]:
        if not first.is_set():  # the first commit lasts until every other write is waiting
            first.set()
            for _ in range(99):
                arrived.acquire(timeout=10)
            time.sleep(0.1)  # the last to arrive is queued
        return store.commit_all(items)

    grouped: GroupCommit[int, int] = GroupCommit(commit_all)

    def write(n: int) -> int | str:
        if n:
            first.wait(10)
            arrived.release()
        try:
            result = grouped("agency", n)
        except ValueError as error:
            return str(error)
        assert n in store.committed  # returned only after its transaction committed
        return result

    with ThreadPoolExecutor(100) as pool:
        outcomes = list(pool.map(write, range(100)))

    assert outcomes == [f"{n} is refused" if n % 10 == 7 else n * 2 for n in range(100)]
    assert sorted(n for t in store.transactions for n in t) == list(range(100))  # each once
    # The first alone; the 99 that waited behind it together (one straggler at most apart).
    assert store.transactions[0] == [0]
    assert len(store.transactions) <= 3
    assert len(store.transactions[1]) >= 98


def test_keys_are_committed_apart() -> None:
    store = Store()
    grouped: GroupCommit[int, int] = GroupCommit(store.commit_all)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: grouped(n % 2, n), [n for n in range(40) if n % 10 != 7]))
    for transaction in store.transactions:
        assert len({n % 2 for n in transaction}) == 1


def test_a_commit_that_fails_fails_every_write_it_held_and_the_next_go_on() -> None:
    failing = {"on": True}

    def commit_all(items: Sequence[int]) -> list[int | BaseException]:
        if failing["on"]:
            raise ConnectionError("database away")
        return list(items)

    grouped: GroupCommit[int, int] = GroupCommit(commit_all)
    with pytest.raises(ConnectionError):
        grouped("agency", 1)
    failing["on"] = False
    assert grouped("agency", 2) == 2
