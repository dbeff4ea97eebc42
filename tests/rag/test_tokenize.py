"""SudachiPy helpers beyond the lexical tokenizer: what parsers ask of a single word or line."""

from __future__ import annotations

import pytest

from rag.tokenize import continues_line, is_common_word, is_line_fragment, surname_and_title, trailing_noun_phrase


@pytest.mark.parametrize(
    ("line", "following", "fragment"),
    [
        ("都道府", "県と基礎自治体、それぞれの役割", True),  # 都道府県, broken over the lines
        ("とは市", "民が抱いていること。", True),  # opens with a particle
        ("し", "ている。", True),
        ("の", "は引続き課題。", True),
        ("宮坂", "GovTech 東京では、開発チームを強化していきたい。", False),
        ("国分寺市", "市民の声を聞いている。", False),
        ("事務局", "資料に沿って説明。", False),
        ("いのつめまさみ", "質問します。", False),
    ],
)
def test_a_line_broken_mid_sentence_is_a_fragment(sudachi, line, following, fragment):
    assert is_line_fragment(line, following) is fragment


def test_common_words_and_names(sudachi):
    assert is_common_word("注意") and is_common_word("防災")
    assert not is_common_word("宮坂") and not is_common_word("宮坂学")


def test_a_label_ending_in_a_one_character_word_is_not_a_fragment_for_that_alone(sudachi):
    assert not is_line_fragment("デジタルサービス局", "資料に沿って説明。")
    assert not is_line_fragment("宮坂副知事", "知事としての考えを述べた。")


def test_a_label_in_brackets_over_a_bullet_is_not_a_fragment(sudachi):
    assert not is_line_fragment("畑中（オブザーバー）", "▪ 官民協働に当たっては、民間と対話をしながら")


@pytest.mark.parametrize(
    ("label", "split"),
    [
        ("比留間教育長", ("比留間", "教育長")),
        ("鈴木主税局長", ("鈴木", "主税局長")),
        ("樋口消防総監", ("樋口", "消防総監")),
        ("高橋統括官", ("高橋", "統括官")),
        ("吉田信夫", None),  # a full name, no title
        ("防災対策", None),  # no name
        ("醍醐危機管理監", None),  # 醍醐 is read as a common noun: no guess
    ],
)
def test_a_name_then_a_title_no_list_holds(sudachi, label, split):
    assert surname_and_title(label) == split


@pytest.mark.parametrize(
    ("previous", "line", "goes_on"),
    [
        ("次期推進計画の課題や基本", "的な方向性", True),  # a suffix opens no line
        ("区市町村との協働の課題や基本", "方針について", True),  # 基本方針 runs across the break
        ("デジタル", "化について", True),
        ("防災について", "本日は防災について議論した。", False),
        ("論点２：区市町村との協働", "宮坂：", False),
    ],
)
def test_a_line_that_only_continues_the_one_before(previous, line, goes_on):
    assert continues_line(line, previous) is goes_on


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("ただいま御紹介いただきました東京都デジタルサービス局", "東京都デジタルサービス局"),
        ("本日お招きいただいた東京大学大学院工学系研究科", "東京大学大学院工学系研究科"),  # 系 a suffix
        ("私は国土交通省都市局", "国土交通省都市局"),
        ("株式会社NTTデータ", "株式会社NTTデータ"),
        ("お招きいただいた", ""),
        ("", ""),
    ],
)
def test_the_noun_phrase_that_ends_a_text(text, phrase):
    assert trailing_noun_phrase(text) == phrase
