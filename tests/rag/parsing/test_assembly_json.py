"""Assembly JSON ({Speaker, Utterance}) as other exports write it: the label repeated in the speech,
only in the speech, with 君, or missing."""

from __future__ import annotations

import copy
import json

import pytest

from rag.errors import ParseError
from rag.parsing import parse_all, parse_bytes
from tests.conftest import FIXTURES

PROCEEDING = json.loads((FIXTURES / "assembly-two-proceedings.json").read_text())[0]


def _parsed(proceeding: dict):
    return parse_bytes(json.dumps(proceeding, ensure_ascii=False).encode(), "gikai.json")


def _sitting(date: str, title: str, header: str, *said: tuple[str, str]) -> dict:
    """A proceeding of ``header`` (the null speaker's utterance), then ``(speaker, utterance)`` turns."""
    utterances = [{"Speaker": "null", "Utterance": header}] + [{"Speaker": s, "Utterance": u} for s, u in said]
    return {"Date": date, "ProceedingTitle": title, "Proceeding": utterances}


def _with_header(block: str, *said: tuple[str, str]) -> dict:
    """The fixture's proceeding with ``block`` in its header before the business, and ``said`` turns after."""
    proceeding = copy.deepcopy(PROCEEDING)
    header = proceeding["Proceeding"][0]
    header["Utterance"] = header["Utterance"].replace("本日の会議に付した事件", block + "本日の会議に付した事件")
    proceeding["Proceeding"] += [{"Speaker": s, "Utterance": u} for s, u in said]
    return proceeding


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


def test_line_ends_written_as_crlf_inside_the_strings_read_as_newlines():
    header = "第一委員会室\n　午後一時開議\n　出席委員　二名\n委員長山本　一郎君\n高橋　春子君\n本日の会議に付した事件\n防災について"
    said = [
        ("山本委員長", "ただいまから委員会を開会いたします。\n　防災について調査を行います。"),
        ("高橋委員", "伺います。"),
    ]
    plain = _parsed(_sitting("2024/6/1", "総務委員会速記録第一号", header, *said))
    crlf = _parsed(
        _sitting(
            "2024/6/1",
            "総務委員会速記録第一号",
            header.replace("\n", "\r\n"),
            *[(s, u.replace("\n", "\r\n")) for s, u in said],
        )
    )
    assert (
        plain.meeting.attendees
        and plain.turns[0].text == "ただいまから委員会を開会いたします。\n防災について調査を行います。"
    )
    assert (crlf.meeting.attendees, crlf.meeting.agenda, crlf.meeting.place) == (
        plain.meeting.attendees,
        plain.meeting.agenda,
        plain.meeting.place,
    )
    assert crlf.turns == plain.turns


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


def test_a_plenary_sitting_names_members_by_seat_and_the_executive_by_title():
    header = (
        "議場\n　午後一時開議\n出席議員　百二十三名\n三十番　野島　善司君\n七十二番　吉田　信夫君\n"
        "出席説明員\n知事　石原慎太郎君\n副知事　猪瀬　直樹君\n教育長　比留間英人君\n"
    )
    speakers = ["七十二番吉田信夫君", "知事（石原慎太郎君）", "猪瀬副知事", "比留間教育長", "○三十番（野島善司君）"]
    said = [(s, "防災について申し上げます。") for s in speakers]
    parsed = _parsed(_sitting("2012/6/12", "平成二十四年第二回定例会本会議第七号", header, *said))
    assert [(a.name, a.role) for a in parsed.meeting.attendees][:2] == [("野島 善司", "議員"), ("吉田 信夫", "議員")]
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("吉田 信夫", "議員"),
        ("石原慎太郎", "知事"),
        ("猪瀬 直樹", "副知事"),
        ("比留間英人", "教育長"),
        ("野島 善司", "議員"),
    ]


def test_a_plenary_record_that_opens_with_the_day_names_no_room_and_lists_its_order_of_business():
    header = (
        "平成二十四年六月十三日（水曜日）\n　出席議員　百二十四名\n一番　　田中　健君\n　欠席議員　なし\n"
        "　出席説明員\n知事　石原慎太郎君\n議事日程第八号\n第一　一般質問\n第二　第百三号議案　東京都都税条例の一部を改正する条例\n"
        "――――――――――\n"
    )
    said = ("議長（中村明彦君）", "ただいまから本日の会議を開きます。")
    meeting = _parsed(_sitting("2012/6/13", "平成二十四年第二回定例会本会議速記録第八号", header, said)).meeting
    assert meeting.place == ""  # the day is not a room
    assert list(meeting.agenda) == ["一般質問", "第百三号議案　東京都都税条例の一部を改正する条例"]
    assert [a.name for a in meeting.attendees] == ["田中 健", "石原慎太郎"]


def test_a_plenary_header_that_opens_on_its_roster_and_dates_its_order_of_business():
    # The shape of PoliInfo's plenary records: no room or day before 出席議員, seats run into the
    # names, the day before 議事日程, a bill's title and file number under its item, the hour last
    header = (
        "　出席議員（三名）\n一番山田　太郎君\n二番佐藤　花子君\n三番鈴木一郎君\n　欠席議員（なし）\n"
        "　出席説明員\n知事小池　緑君\n六月十日議事日程第一号\n第一　議長選挙\n議事日程第一号追加の一\n"
        "日程第一　議員提出議案第二号\n　　東京都議会委員会条例の一部を改正する条例\n"
        "第二　東京都監査委員の選任の同意について\n　　(六財主議第一号）\n"
        "第三　東京都監査委員の選任の同意について\n　　(六財主議第二号）\n　　　午後一時一分\n"
    )
    said = [
        ("臨時議長(鈴木一郎君)", "議長選挙を行います。\n　　　午後一時三分開会・開議\n"),
        ("二番(佐藤花子君)", "防災について伺います。"),
        ("知事(小池緑君)", "お答えいたします。"),
    ]
    parsed = _parsed(_sitting("2024/6/10", "令和六年第一回臨時会会議録", header, *said))
    assert list(parsed.meeting.agenda) == [
        "議長選挙",
        "議員提出議案第二号　東京都議会委員会条例の一部を改正する条例",
        "東京都監査委員の選任の同意について",
    ]
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == [
        ("山田 太郎", "議員", "議員"),
        ("佐藤 花子", "議員", "議員"),
        ("鈴木一郎", "議員", "議員"),
        ("小池 緑", "知事", "説明員"),
    ]
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parsed.turns] == [
        ("鈴木一郎", "臨時議長", "議長選挙を行います。"),  # the clerk's hour is not speech
        ("佐藤 花子", "議員", "防災について伺います。"),
        ("小池 緑", "知事", "お答えいたします。"),
    ]


def _record(line: int, speaker: str, said: str, *, title: str = "平成23年_第２回定例会(第７号)", day: int = 17) -> dict:
    return {
        "ID": f"130001_2306{day}_{line}",
        "Line": line,
        "Prefecture": "東京都",
        "Volume": "平成23年_第２回",
        "Year": 23,
        "Month": 6,
        "Day": day,
        "Title": title,
        "Speaker": speaker,
        "Utterance": said,
    }


def test_a_list_of_utterance_records_is_read_as_one_proceeding_per_sitting():
    # PoliInfo's dialogue-summarisation file: one record per utterance, the year the era's
    records = [
        _record(3, "山田太郎", "防災について伺います。"),
        _record(1, "null", "　出席議員（二名）\n一番山田　太郎君\n二番佐藤　花子君\n"),
        _record(2, "佐藤花子", "ただいまから会議を開きます。"),
        _record(1, "佐藤花子", "本日の会議を開きます。", title="平成23年_第２回定例会(第８号)", day=20),
    ]
    parsed = parse_all(json.dumps(records, ensure_ascii=False).encode(), "Pref13_tokyo.json")
    assert [(p.meeting.title, p.meeting.date, len(p.turns)) for p in parsed] == [
        ("平成23年第２回定例会(第７号)", "2011-06-17", 2),
        ("平成23年第２回定例会(第８号)", "2011-06-20", 1),
    ]
    assert [(t.speaker.name, t.text) for t in parsed[0].turns] == [
        ("佐藤 花子", "ただいまから会議を開きます。"),
        ("山田 太郎", "防災について伺います。"),
    ]


def test_a_committee_record_names_its_room_before_or_after_the_hour():
    for header in ("第十二委員会室\n　午後零時三十分開議\n", "　午後零時三十分開議\n第十二委員会室\n"):
        proceeding = {**PROCEEDING, "Proceeding": [{"Speaker": "null", "Utterance": header + "出席委員　二名\n"}]}
        proceeding["Proceeding"] += PROCEEDING["Proceeding"][1:]
        assert _parsed(proceeding).meeting.place == "第十二委員会室"


@pytest.mark.parametrize("joint", ["\n", "　"])
def test_explainers_are_read_whether_their_head_stands_alone_or_beside_the_first(joint):
    proceeding = _with_header(f"　出席説明員{joint}総務局局長笠井　謙一君\n危機管理監醍醐　勇司君\n")
    attendees = _parsed(proceeding).meeting.attendees
    assert [(a.name, a.role, a.group) for a in attendees if a.group == "説明員"] == [
        ("笠井 謙一", "総務局局長", "説明員"),
        ("醍醐 勇司", "危機管理監", "説明員"),
    ]


def test_a_surname_that_starts_with_the_posts_last_word_keeps_it():
    block = "　出席説明員\n総務部長長谷川　明君\n危機管理監長尾　二郎君\n"
    parsed = _parsed(_with_header(block, ("長尾危機管理監", "お答えいたします。")))
    assert [(a.name, a.role) for a in parsed.meeting.attendees if a.group == "説明員"] == [
        ("長谷川 明", "総務部長"),
        ("長尾 二郎", "危機管理監"),
    ]
    assert parsed.turns[-1].speaker.name == "長尾 二郎"


def test_a_post_held_for_the_time_being_stays_with_the_post():
    block = "　出席説明員\n総務局局長心得榎本　雅朝君\n危機管理監事務取扱醍醐　勇司君\n総務部長代理山手　斉君\n"
    labels = ["榎本総務局長心得", "醍醐危機管理監事務取扱", "山手総務部長代理"]
    parsed = _parsed(_with_header(block, *((label, "お答えいたします。") for label in labels)))
    assert [(a.name, a.role) for a in parsed.meeting.attendees if a.group == "説明員"] == [
        ("榎本 雅朝", "総務局局長心得"),
        ("醍醐 勇司", "危機管理監事務取扱"),
        ("山手 斉", "総務部長代理"),
    ]
    assert [t.speaker.name for t in parsed.turns[-3:]] == ["榎本 雅朝", "醍醐 勇司", "山手 斉"]


def test_explainers_with_posts_held_at_once_and_over_several_lines():
    block = (
        "　出席説明員\n次長戦略広報調整監兼務山田　忠輝君\n企画担当部長戦略広報担当部長\n"
        "新型コロナウイルス感染症対策広報担当部長兼務\n黒岩　幸三君\n"
    )
    attendees = _parsed(_with_header(block)).meeting.attendees
    assert [(a.name, a.role) for a in attendees if a.group == "説明員"] == [
        ("山田 忠輝", "次長戦略広報調整監兼務"),
        ("黒岩 幸三", "企画担当部長戦略広報担当部長新型コロナウイルス感染症対策広報担当部長兼務"),
    ]


@pytest.mark.parametrize(
    ("listed", "group"),
    [
        ("参考人\n東京大学地震研究所教授　平田　　直君", "参考人"),
        ("東京大学地震研究所教授　平田　　直君", "委員外の出席者"),
    ],
    ids=["under-a-sub-heading", "under-the-section"],
)
def test_attendees_from_outside_the_committee_are_not_its_members_and_their_post_follows_them(listed, group):
    said = ("平田参考人", "首都直下地震の被害想定について申し上げます。")
    parsed = _parsed(_with_header(f"　委員外の出席者\n{listed}\n", said))
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees if a.name == "平田 直"] == [
        ("平田 直", "東京大学地震研究所教授", group)
    ]
    speaker = parsed.turns[-1].speaker
    assert (speaker.name, speaker.role, speaker.group, speaker.affiliation) == (
        "平田 直",
        "参考人",
        group,
        "東京大学地震研究所教授",
    )


def _camel(proceeding: dict) -> dict:
    """The proceeding as later PoliInfo releases write it: keys in lower camel case, the post apart."""
    items = []
    for item in proceeding["Proceeding"]:
        speaker, post = item["Speaker"], ""
        for role in ("委員長", "委員"):
            if speaker.endswith(role):
                speaker, post = speaker[: -len(role)], role
                break
        items.append(
            {"speakerPosition": post, "speaker": speaker, "utterance": item["Utterance"], "moneyExpressions": []}
        )
    return {
        "date": proceeding["Date"],
        "localGovernmentCode": "130001",
        "localGovernmentName": "東京都",
        "proceedingTitle": proceeding["ProceedingTitle"],
        "url": proceeding["URL"],
        "proceeding": items,
    }


def test_lower_camel_keys_and_a_separate_post_read_as_the_original_keys():
    camel, original = _parsed(_camel(PROCEEDING)), _parsed(PROCEEDING)
    assert [(t.speaker.name, t.speaker.role, t.text) for t in camel.turns] == WANT
    assert camel.meeting.title == original.meeting.title
    assert camel.meeting.date == original.meeting.date
    assert camel.meeting.attendees == original.meeting.attendees


def test_a_bundle_of_local_and_diet_minutes_is_one_meeting_each():
    diet = {
        "issueID": "121305261X00220240301",
        "session": 213,
        "nameOfHouse": "参議院",
        "nameOfMeeting": "内閣委員会",
        "issue": "第2号",
        "date": "2024-03-01",
        "speechRecord": [
            {"speechID": "X_000", "speechOrder": 0, "speaker": "会議録情報", "speech": "委員長\u3000山田\u3000太郎君"},
            {"speechID": "X_001", "speechOrder": 1, "speaker": "山田太郎", "speech": "○山田委員長\u3000開会します。"},
        ],
    }
    bundle = {"local": [_camel(PROCEEDING)], "diet": [diet]}
    parts = parse_all(json.dumps(bundle, ensure_ascii=False).encode(), "poliinfo3.json")
    assert [p.meeting.source_format for p in parts] == ["assembly-json", "kokkai"]
    assert [p.meeting.source_name for p in parts] == ["poliinfo3.json#1", "poliinfo3.json#2"]
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parts[0].turns] == WANT
    assert parts[1].turns[0].text == "開会します。"
    with pytest.raises(ParseError, match="parse_all"):
        parse_bytes(json.dumps(bundle, ensure_ascii=False).encode(), "poliinfo3.json")


# Two people who share a surname: a vice-chair among the members and an explainer.
_NAMESAKES = (
    "第一委員会室\n午後一時開議\n出席委員　三名\n委員長松田　康将君\n副委員長小林　健二君\n福手ゆう子君\n"
    "出席説明員\nスタートアップ戦略担当部長構造改革担当部長兼務小林　直樹君\n"
)


def test_namesakes_are_told_apart_by_the_post_their_label_gives():
    labels = ["小林スタートアップ戦略担当部長構造改革担当部長兼務", "小林副委員長"]
    parsed = _parsed(
        _sitting("2023-03-14", "総務委員会速記録第四号", _NAMESAKES, *((x, "お答えします。") for x in labels))
    )
    assert [(t.speaker.name, t.speaker.group) for t in parsed.turns] == [("小林 直樹", "説明員"), ("小林 健二", "委員")]


def test_a_header_that_opens_with_the_records_title_and_day_names_the_room_after_them():
    header = "総務委員会速記録第四号\n\n令和五年三月十四日（火曜日）\n" + _NAMESAKES
    parsed = _parsed(_sitting("2023-03-14", "総務委員会速記録第四号", header, ("松田委員長", "開会します。")))
    assert parsed.meeting.place == "第一委員会室"
