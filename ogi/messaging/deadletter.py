"""Messages a consumer cannot apply (poison): a message whose every delivery fails for a reason
of its own — it does not decode, or the consumer's domain refuses it — would stop the consumer at
it for good, and every later event with it. After `PoisonPolicy.deliveries` failed deliveries it
is set aside, with why, on ogi.deadletter.<consumer>, where it stays in the stream to be looked at
and replayed once the cause is fixed, and the consumer goes on. A database or network that is
down is not a reason of the message's own: those failures are retried for as long as they last.
No I/O here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ogi.errors import is_transient as is_transient  # its old home; consumers import it here
from ogi.messaging.stream import subject

# Headers of a message set aside: where it came from and why.
ORIGINAL_SUBJECT = "Ogi-Original-Subject"
ORIGINAL_SEQUENCE = "Ogi-Original-Sequence"
FAILURE = "Ogi-Failure"


@dataclass(frozen=True)
class PoisonPolicy:
    """[policy] OGI_POLICY_POISON_DELIVERIES; default 5 failed deliveries before a message is
    set aside. 0 never sets one aside: the consumer waits at it until someone fixes the cause."""

    deliveries: int = 5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> PoisonPolicy:
        return cls(int(environ.get("OGI_POLICY_POISON_DELIVERIES", cls.deliveries)))

    def sets_aside(self, delivered: int) -> bool:
        """Whether a message that failed on its `delivered`-th delivery is set aside now."""
        return 0 < self.deliveries <= delivered

    @staticmethod
    def retry_after(delivered: int) -> float:
        """Seconds before the next delivery: doubling from half a second, at most 30."""
        return float(min(0.5 * 2 ** (delivered - 1), 30))


def dead_letter_subject(consumer: str) -> str:
    return subject("deadletter", consumer)


def failure(error: BaseException) -> str:
    """What went wrong, short enough for a header."""
    return f"{type(error).__name__}: {error}"[:500]
