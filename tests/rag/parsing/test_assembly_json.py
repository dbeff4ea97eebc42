"""Assembly JSON ({Speaker, Utterance}) as other exports write it: the label repeated in the speech,
only in the speech, with 君, or missing."""

from __future__ import annotations

import copy
import json

import pytest

from rag.parsing import parse_bytes
from tests.conftest import FIXTURES

PROCEEDING = json.loads((FIXTURES / "assembly-two-proceedings.json").read_text())[0]


def _parsed(proceeding: dict):
    return parse_bytes(json.dumps(proceeding, ensure_ascii=False).encode(), "gikai.json")


def _turns(proceeding: dict) -> list[tuple[str, str, str]]:
    return [(t.speaker.name, t.speaker.role, t.text) for t in _parsed(proceeding).turns]


WANT = [
    ("山本 一郎", "委員長", "ただいまから総務委員会を開会いたします。"),
    ("高橋 春子", "委員", "防災備蓄の予算について伺います。"),
]


def _each_utterance(change) -> dict:
    proceeding = copy.deepcopy(PROCEEDING)
    for item in proceeding["Proceeding"][1:]:
        change(item)
    return proceeding


@pytest.mark.parametrize(
    "change",
    [
        lambda item: None,
        lambda item: item.update(Utterance=f"○{item['Speaker']}　{item['Utterance']}"),  # repeated in the speech
        lambda item: item.update(Utterance=f"○{item['Speaker']}　{item['Utterance']}", Speaker=""),  # only there
        lambda item: item.update(Speaker=item["Speaker"] + "君"),
    ],
    ids=["as-is", "label-repeated", "label-only-in-speech", "honorific"],
)
def test_the_same_turns_however_the_speaker_is_written(change):
    assert _turns(_each_utterance(change)) == WANT


def test_a_speech_without_a_speaker_is_kept_unattributed():
    proceeding = copy.deepcopy(PROCEEDING)
    proceeding["Proceeding"].insert(2, {"Speaker": "null", "Utterance": "（休憩中の発言）資料を配布します。"})
    turns = _parsed(proceeding).turns
    assert [t.speaker.attribution for t in turns] == ["speaker", "unknown", "speaker"]
    assert turns[1].text == "（休憩中の発言）資料を配布します。"


def test_a_speech_that_starts_like_a_label_of_someone_else_keeps_its_text():
    proceeding = copy.deepcopy(PROCEEDING)
    proceeding["Proceeding"][2]["Utterance"] = "○防災備蓄について　予算を伺います。"
    assert _turns(proceeding)[1] == ("高橋 春子", "委員", "○防災備蓄について　予算を伺います。")
