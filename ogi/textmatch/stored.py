"""A reading of a request (ogi.textmatch.ranking.Reading) as JSON, for a read model that keeps it
beside the request: reading takes about a millisecond, decoding a few hundredths of one.

A stored reading is good only for the matcher that made it: VERSION is a digest of the
matcher's own source and word lists, and a reading stored under another is read again from the
text. No I/O beyond reading this package's files once."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from ogi.textmatch.names import Name
from ogi.textmatch.ranking import Reading
from ogi.textmatch.similarity import DocumentNumber, Features

_SETS = ("titles", "numbers", "kinds", "documents", "sections", "months", "serials", "follow_ups")


@cache
def version() -> str:
    """A digest of what reading depends on: this package's modules and word lists."""
    digest = hashlib.sha256()
    files = sorted(resources.files(__package__).iterdir(), key=lambda f: f.name)
    for file in files:
        if file.name.endswith((".py", ".toml")):
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def dumps(reading: Reading) -> str:
    return json.dumps([_data(view) for view in reading.views], ensure_ascii=False)


def loads(key: str, text: str) -> Reading:
    return Reading(key, tuple(_features(view) for view in json.loads(text)))


def _data(f: Features) -> dict[str, Any]:
    return {
        "document_numbers": [[n.prefix, n.year, n.serial] for n in f.document_numbers],
        **{name: sorted(getattr(f, name)) for name in _SETS},
        "places": sorted([p.kind, p.name, p.stem] for p in f.places),
        "qualified": sorted([thing, which] for thing, which in f.qualified),
        "draft": f.draft,
        "words": list(f.words),
        "text": f.text,
    }


def _features(d: dict[str, Any]) -> Features:
    sets = {name: frozenset(d[name]) for name in _SETS}
    return Features(
        document_numbers=tuple(DocumentNumber(*n) for n in d["document_numbers"]),
        places=frozenset(Name(*p) for p in d["places"]),
        qualified=frozenset((thing, which) for thing, which in d["qualified"]),
        draft=d["draft"],
        words=tuple(d["words"]),
        text=d["text"],
        **sets,
    )
