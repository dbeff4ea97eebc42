"""Rosters of summary-style minutes: each shape of entry read to a name, a role, a group and an affiliation."""

from __future__ import annotations

import pytest

from rag.parsing.rosters import parse_roster


def test_a_roster_line_whose_affiliation_has_a_comma_is_one_person():
    (person,) = parse_roster(["越塚 登 東京大学大学院 情報学環、学際情報学府 教授"])
    assert (person.name, person.affiliation, person.title) == (
        "越塚 登",
        "東京大学大学院 情報学環、学際情報学府",
        "教授",
    )


@pytest.mark.parametrize(
    ("lines", "people"),
    [
        # a group line, then a list of surnames with posts, its head count left out
        (
            ["委員", "山田会長、佐藤副会長、鈴木委員(3名)"],
            [("山田", "会長", "委員", ""), ("佐藤", "副会長", "委員", ""), ("鈴木", "委員", "委員", "")],
        ),
        # an office before the list's first surname and post: the list's office, where an entry names none
        (
            ["事務局", "情報政策課　中村課長、小林係長"],
            [("中村", "課長", "事務局", "情報政策課"), ("小林", "係長", "事務局", "情報政策課")],
        ),
        (
            ["事務局", "情報政策課　中村課長、財政課　小林係長"],
            [("中村", "課長", "事務局", "情報政策課"), ("小林", "係長", "事務局", "財政課")],
        ),
        # a group with its department, then posts before full names
        (
            ["市執行部 【財務部】", "財務部長 古内勝人,管財課長兼庁舎建設担当 栗原秀樹"],
            [("古内勝人", "財務部長", "市執行部", ""), ("栗原秀樹", "管財課長兼庁舎建設担当", "市執行部", "")],
        ),
        # posts before full names written with their space, posts no role list holds whole (係長)
        (
            ["事務局　都市計画課長　清水　浩、景観担当係長　池田　明"],
            [("清水 浩", "都市計画課長", "事務局", ""), ("池田 明", "景観担当係長", "事務局", "")],
        ),
        (["会長　山田　太郎、副会長　鈴木　花子"], [("山田 太郎", "会長", "", ""), ("鈴木 花子", "副会長", "", "")]),
        # a group, a post and the name in brackets on one line
        (["議会事務局 庶務議事課主任(塚本志保)"], [("塚本志保", "庶務議事課主任", "議会事務局", "")]),
        # each group in brackets before its list, on the list's own line
        (
            ["（委員）山田会長、鈴木副会長、田中委員", "（事務局）企画政策課　伊藤課長、渡辺係長"],
            [
                ("山田", "会長", "委員", ""),
                ("鈴木", "副会長", "委員", ""),
                ("田中", "委員", "委員", ""),
                ("伊藤", "課長", "事務局", "企画政策課"),
                ("渡辺", "係長", "事務局", "企画政策課"),
            ],
        ),
        # a surname and its role, then in brackets the post held or where the person comes from
        (
            ["委員", "Ａ委員（会長）、Ｂ委員、村井座長（慶應義塾大学教授）"],
            [("Ａ", "会長", "委員", ""), ("Ｂ", "委員", "委員", ""), ("村井", "座長", "委員", "慶應義塾大学")],
        ),
        # a note of how someone attended is neither a post nor an affiliation
        (
            ["越塚委員（オンライン）、鈴木委員（途中退席）"],
            [("越塚", "委員", "", ""), ("鈴木", "委員", "", "")],
        ),
        # a group's word that is a role, a gap, then one person: that member, whatever they are elsewhere
        (
            ["委員　小林正人（ひかり町交通事業者協会　会長）", "委員　小野 和俊"],
            [("小林正人", "委員", "委員", "ひかり町交通事業者協会"), ("小野 和俊", "委員", "委員", "")],
        ),
        # a role word before a name and the body in brackets; an office alone after a group names no one
        (
            ["会長 石井 健一（きた大学 教授）", "委員 前田 彩（きた商工会議所）", "事務局 スマートシティ推進課"],
            [("石井 健一", "会長", "", "きた大学"), ("前田 彩", "委員", "委員", "きた商工会議所")],
        ),
        # a group's word and a colon before its people, on each group's line
        (
            ["委員：大野会長、谷口副会長", "事務局：環境課 上田課長"],
            [("大野", "会長", "委員", ""), ("谷口", "副会長", "委員", ""), ("上田", "課長", "事務局", "環境課")],
        ),
        # head counts name no one, alone or in a list
        (["委員", "７名"], []),
        (["委員５名、事務局３名"], []),
        (["委員６名（うち会長１名）、事務局（こども政策課）４名"], []),  # with a note in brackets
        (["(3人)", "委員長 鈴木 久雄"], [("鈴木 久雄", "委員長", "", "")]),  # the count alone in brackets
        (["山田会長、鈴木委員、計２名"], [("山田", "会長", "", ""), ("鈴木", "委員", "", "")]),
        (["山田会長、計１名"], [("山田", "会長", "", "")]),
        # one person after the brackets: they hold the person's role, and set no group for the next line
        (
            ["(委員) 小野 和俊 株式会社クレディセゾン 取締役", "深井 一郎 デジタルサービス局戦略部長"],
            [("小野 和俊", "委員", "", "株式会社クレディセゾン"), ("深井 一郎", "", "", "")],
        ),
        # a group's mark over a note in brackets, or over a body's name with a space in it
        (
            ["■委員（五十音順、敬称略）", "村井  純（座長） 慶應義塾大学 教授", "■GovTech 東京", "高野 克己 副理事長"],
            [("村井 純", "座長", "委員", "慶應義塾大学"), ("高野 克己", "", "GovTech 東京", "")],
        ),
        # a person under a mark of their own: the mark is not part of the name, and the group above ends
        (
            ["■委員", "越塚  登 東京大学大学院 教授", "■宮坂 学 副知事"],
            [("越塚 登", "", "委員", "東京大学大学院"), ("宮坂 学", "副知事", "", "")],
        ),
    ],
)
def test_roster_entries(lines, people):
    assert [(a.name, a.role, a.group, a.affiliation) for a in parse_roster(lines)] == people


@pytest.mark.parametrize(
    ("line", "affiliation", "title"),
    [
        ("越塚 登（東京大学大学院情報学環 教授）", "東京大学大学院情報学環", "教授"),
        ("越塚 登（東京大学大学院情報学環教授）", "東京大学大学院情報学環", "教授"),  # run together
        ("村井 純 座長（慶應義塾大学教授）", "慶應義塾大学", "教授"),
        ("水町 雅子（宮内・水町ＩＴ法律事務所弁護士）", "宮内・水町ＩＴ法律事務所", "弁護士"),
        ("高野 克己（GovTech東京副理事長）", "GovTech東京副理事長", ""),  # no body's name before the title
        ("宮坂 学 東京都副知事", "", "東京都副知事"),  # a post, not a body and a title
    ],
)
def test_a_body_and_the_title_held_there_run_together_are_split(line, affiliation, title):
    people = parse_roster([line])
    assert [(a.affiliation, a.title) for a in people] == ([(affiliation, title)] if affiliation or title else [])
