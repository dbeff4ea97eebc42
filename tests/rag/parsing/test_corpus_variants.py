"""The shared corpora rewritten the ways minutes reach users (other encodings, line ends, label and
heading styles, JSON spellings): each variant must give the same speakers and topics as the original.

Every case here was once a bug or is the shape a fix relies on; a parser change that loses turns on
any of them fails this file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from rag.models import ParsedMinutes
from rag.parsing import parse_all, parse_bytes
from tests.conftest import shared_file

SUMMARY = "corpora/tokyo-digital-service-kaigi-07-2023-08-31.txt"
MARKDOWN = "corpora/tokyo-digitaltwin-kentoukai05-2022-06-28.md"
ASSEMBLY = "corpora/tokyo-gikai-bousai-tokubetsu-iinkai-2012-05-14.json"
DIET = "corpora/kokkai-shugiin-monka-212-01-2023-11-01.json"
_LABEL_LINE = re.compile(r"^(\S{1,12})： $", re.M)  # 宮坂： on a line of its own, as the summary writes it


def _who(parsed: ParsedMinutes) -> list[tuple[str, str]]:
    return [(t.speaker.name, t.topic) for t in parsed.turns]


def _same_as_original(name: str, variant: bytes, file_name: str) -> None:
    original = parse_bytes(shared_file(name).read_bytes(), shared_file(name).name)
    (parsed,) = parse_all(variant, file_name)
    assert _who(parsed) == _who(original)
    assert parsed.meeting.date == original.meeting.date


SUMMARY_VARIANTS: dict[str, Callable[[str], bytes]] = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "cr": lambda t: t.replace("\n", "\r").encode(),
    "shift_jis": lambda t: t.encode("cp932", "replace"),
    "utf-16": lambda t: t.encode("utf-16"),
    "bom": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "dot bullets": lambda t: t.replace("▪", "・").replace("•", "・").encode(),
    "no bullets": lambda t: re.sub(r"^(\s*)[▪•]\s*", r"\1", t, flags=re.M).encode(),
    "half-width colons": lambda t: _LABEL_LINE.sub(r"\1:", t).encode(),
    "circle labels": lambda t: _LABEL_LINE.sub(r"○\1", t).encode(),
    "bracket labels": lambda t: _LABEL_LINE.sub(r"【\1】", t).encode(),
    "bare labels": lambda t: _LABEL_LINE.sub(r"\1", t).encode(),
    "parenthesised labels": lambda t: _LABEL_LINE.sub(r"（\1）", t).encode(),  # （畑中（オブザーバー））
    "half-width parenthesised labels": lambda t: _LABEL_LINE.sub(r"(\1)", t).encode(),
    "label and first bullet on one line": lambda t: re.sub(
        r"^(\S{1,12})： \n\s*[▪•]\s*", r"\1：", t, flags=re.M
    ).encode(),
    "full names with their space": lambda t: t.replace("\n宮坂： \n", "\n宮坂　学： \n").encode(),
    "numbered headings": lambda t: re.sub(r"^■(.+について)", r"（１）\1", t, flags=re.M).encode(),
    "angle-bracket headings": lambda t: re.sub(r"^■(.+について) *$", r"＜\1＞", t, flags=re.M).encode(),
    "half-width angle headings": lambda t: re.sub(r"^■(.+について) *$", r"<\1>", t, flags=re.M).encode(),
    "double-angle headings": lambda t: re.sub(r"^■(.+について) *$", r"《\1》", t, flags=re.M).encode(),
    "page numbers as - n -": lambda t: re.sub(r"^(\d+) $", r"- \1 -", t, flags=re.M).encode(),
    "western date": lambda t: t.replace("令和５年８月 31 日（木）", "2023年8月31日（木）").encode(),
    "no 議事 heading": lambda t: t.replace("議事（敬称略） \n", "", 1).encode(),
    "one-line 日時 and 場所, no 議事 heading": lambda t: re.sub(
        r"(日時|場所) \n\n(.+)\n", r"\1：\2\n", t.replace("議事（敬称略） \n", "", 1)
    ).encode(),
    "no 議事次第, no 議事 heading": lambda t: re.sub(
        r"議事次第 \n(?:.*\n)*?(?=議事（)議事（敬称略） \n", "", t, count=1
    ).encode(),
}


@pytest.mark.parametrize("variant", list(SUMMARY_VARIANTS), ids=list(SUMMARY_VARIANTS))
def test_summary_variants(variant):
    text = shared_file(SUMMARY).read_text()
    _same_as_original(SUMMARY, SUMMARY_VARIANTS[variant](text), "minutes.txt")


@pytest.mark.parametrize("footer", ["- 3 -", "3 / 12", "Page 3 of 12", "3ページ"])
def test_a_page_number_at_a_pages_foot_is_no_part_of_the_speech_it_cuts(footer):
    text = shared_file(SUMMARY).read_text()
    variant = re.sub(r"^(\d+) $", lambda m: footer.replace("3", m.group(1), 1), text, flags=re.M)
    original = parse_bytes(shared_file(SUMMARY).read_bytes(), "minutes.txt")
    (parsed,) = parse_all(variant.encode(), "minutes.txt")
    assert [re.sub(r"\s", "", t.text) for t in parsed.turns] == [re.sub(r"\s", "", t.text) for t in original.turns]


MARKDOWN_VARIANTS: dict[str, Callable[[str], bytes]] = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "speech on the label line": lambda t: re.sub(r"^(【[^】]+】)\n", r"\1", t, flags=re.M).encode(),
    "emphasised labels": lambda t: re.sub(r"^(【[^】]+】)$", r"**\1**", t, flags=re.M).encode(),
    "no anchors": lambda t: re.sub(r"<a[^>]*></a>\n", "", t).encode(),
    "one-hash title": lambda t: t.replace("## 2022.6.28", "# 2022.6.28", 1).encode(),
    "deeper headings": lambda t: re.sub(r"^ ?### ", "#### ", t, flags=re.M).encode(),
    "circle labels (read as a summary)": lambda t: re.sub(r"^【([^】]+)】$", r"○\1", t, flags=re.M).encode(),
    "bold labels without brackets": lambda t: re.sub(r"^【([^】]+)】[ 　]*$", r"**\1**", t, flags=re.M).encode(),
    "sections at the title's level": lambda t: re.sub(r"^ ?### ", "## ", t, flags=re.M).encode(),
}


@pytest.mark.parametrize("variant", list(MARKDOWN_VARIANTS), ids=list(MARKDOWN_VARIANTS))
def test_markdown_variants(variant):
    text = shared_file(MARKDOWN).read_text()
    _same_as_original(MARKDOWN, MARKDOWN_VARIANTS[variant](text), "minutes.md")


def _each_utterance(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(record: dict) -> None:
        for item in record["Proceeding"][1:]:
            change(item)

    return apply


ASSEMBLY_VARIANTS: dict[str, Callable[[dict], None]] = {
    "a JSON null speaker": lambda r: r["Proceeding"][0].update(Speaker=None),
    "label repeated in the speech": _each_utterance(lambda u: u.update(Utterance=f"○{u['Speaker']}　{u['Utterance']}")),
    "label only in the speech": _each_utterance(
        lambda u: u.update(Utterance=f"○{u['Speaker']}　{u['Utterance']}", Speaker="")
    ),
    "honorific after the label": _each_utterance(lambda u: u.update(Speaker=u["Speaker"] + "君")),
    "era date": lambda r: r.update(Date="平成24年5月14日"),
    "ISO date": lambda r: r.update(Date="2012-05-14"),
}


@pytest.mark.parametrize("variant", list(ASSEMBLY_VARIANTS), ids=list(ASSEMBLY_VARIANTS))
def test_assembly_json_variants(variant):
    record = json.loads(shared_file(ASSEMBLY).read_text())
    ASSEMBLY_VARIANTS[variant](record)
    _same_as_original(ASSEMBLY, json.dumps(record, ensure_ascii=False).encode(), "gikai.json")


def test_the_assembly_record_as_text_names_the_same_people():
    record = json.loads(shared_file(ASSEMBLY).read_text())
    items = record["Proceeding"]
    text = "\n".join(
        [record["ProceedingTitle"], "平成二十四年五月十四日（月曜日）", items[0]["Utterance"]]
        + [f"○{u['Speaker']}　{u['Utterance']}" for u in items[1:]]
    )
    original = parse_bytes(shared_file(ASSEMBLY).read_bytes(), "gikai.json")
    parsed = parse_bytes(text.encode(), "gikai.txt")
    assert parsed.meeting.source_format == "verbatim"
    people = [(t.speaker.name, t.speaker.role) for t in parsed.turns]
    assert people == [(t.speaker.name, t.speaker.role) for t in original.turns]


@pytest.mark.parametrize("spelling", ["compact", "ascii escapes", "numbers as numbers"])
def test_diet_json_spellings(spelling):
    record = json.loads(shared_file(DIET).read_text())
    if spelling == "numbers as numbers":
        for speech in record["meetingRecord"][0]["speechRecord"]:
            speech["speechOrder"] = int(speech["speechOrder"])
    data = json.dumps(record, ensure_ascii=spelling != "ascii escapes").encode()
    _same_as_original(DIET, data, "diet.json")
