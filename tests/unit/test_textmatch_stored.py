"""A reading kept as JSON by handling's read model (ogi.textmatch.stored) is the reading: decoded,
it equals what reading the request again gives, and so ranks the same."""

from __future__ import annotations

from ogi.textmatch import stored
from ogi.textmatch.ranking import AnsweredRequest, ReleasedDocument, read, resemblance
from ogi.textmatch.similarity import features


def test_a_stored_reading_is_the_reading() -> None:
    answered = AnsweredRequest(
        "k",
        "本人张某某，申请公开锦帆路东侧地块2023年上半年的征收补偿方案（清政发〔2023〕7号）",
        (ReleasedDocument("《关于锦帆路东侧地块房屋征收补偿方案的通知》", "清政发〔2023〕7号"),),
        2024,
    )
    reading = read(answered)
    again = stored.loads("k", stored.dumps(reading))
    assert again == reading
    query = features("清政发[2023]7号的补偿方案")
    assert resemblance(query, again) == resemblance(query, reading) > 3


def test_the_version_names_the_matcher() -> None:
    assert stored.version() == stored.version()
    assert len(stored.version()) == 16
