"""Query understanding: names, surnames, roles and romaji in a question become a speaker filter."""

from __future__ import annotations

import pytest

from rag.query import Person, SpeakerLexicon, broader_roles, role_words, word_at
from rag.romaji import to_romaji
from rag.tokenize import make_sudachi_segmenter

PEOPLE = [
    Person("p-miyasaka", "宮坂 学", roles=("東京都副知事（東京都ＣＩＯ）",), labels=("宮坂", "宮坂副知事")),
    Person("p-murai", "村井 純", roles=("座長",), labels=("村井", "村井座長")),
    Person("p-yamada-k", "山田 賢司", roles=("委員",), labels=("山田（賢）委員",)),
    Person("p-yamada-t", "山田 太郎", roles=("委員長",), labels=("山田委員長",)),
    Person("p-itou", "伊藤 学司", roles=("総合教育政策局長",), labels=("伊藤政府参考人",)),
]
READINGS = {
    "宮坂": "ミヤサカ",
    "学": "マナブ",
    "村井": "ムライ",
    "純": "ジュン",
    "山田": "ヤマダ",
    "賢司": "ケンジ",
    "太郎": "タロウ",
    "伊藤": "イトウ",
    "学司": "ガクシ",
}


@pytest.fixture(scope="module")
def lexicon() -> SpeakerLexicon:
    return SpeakerLexicon(PEOPLE, read=READINGS.__getitem__)


@pytest.mark.parametrize(
    ("question", "ids", "via", "rest"),
    [
        ("宮坂副知事は防災について何と言ったか", ("p-miyasaka",), "name", "は防災について何と言ったか"),
        ("What did Murai say about cloud outages?", ("p-murai",), "name", "What did say about cloud outages?"),
        ("What did Mr. Miyasaka say?", ("p-miyasaka",), "name", "What did say?"),
        ("座長の発言", ("p-murai",), "role", "の発言"),
        ("What did the vice governor say about the earthquake?", ("p-miyasaka",), "role", ""),
        ("村井 純さんのクラウドの話", ("p-murai",), "name", "のクラウドの話"),
        ("山田委員長の発言", ("p-yamada-t",), "name", "の発言"),
        ("村井座長への宮坂副知事の答弁", ("p-miyasaka",), "name", "村井座長へのの答弁"),  # 村井 is addressed
        ("What did Miyasaka answer to Murai?", ("p-miyasaka",), "name", "What did answer to Murai?"),
        ("What did the director general say about teachers?", ("p-itou",), "role", "What did say about teachers?"),
    ],
)
def test_infers_the_named_speaker(lexicon, question, ids, via, rest):
    inferred = lexicon.infer(question)
    assert inferred is not None
    assert inferred.person_ids == ids and inferred.via == via
    if rest:
        assert inferred.query == rest


def test_a_shared_surname_without_a_role_keeps_both_people(lexicon):
    inferred = lexicon.infer("山田さんの意見")
    assert inferred is not None and set(inferred.person_ids) == {"p-yamada-k", "p-yamada-t"}


@pytest.mark.parametrize(
    "question",
    [
        "防災DXの課題",
        "委員の発言",
        "How do governments procure software?",
        "What is a governor?",
        "前の委員長が委員を辞めたため委員長を選び直す手続き",  # a former holder, then the office itself
        "元副知事の発言",
        "What did the former vice governor say?",
        "an ex-chair's remarks",
        "宮坂副知事への質問",  # addressed or talked about, not speaking
        "村井座長に対する質問",
        "宮坂さんについての報道",
        "副知事に関する質疑",
        "座長を選任する",
        "Questions to Miyasaka about disaster apps",
        "What was reported about Mr. Murai?",
        "Member Murai is nominated as chair",
    ],
)
def test_no_inference_without_a_named_speaker(lexicon, question):
    assert lexicon.infer(question) is None


WORDS = {  # SudachiPy's words for these questions (the last test checks the real segmenter gives them)
    "大津波で記録が失われる": ["大津波", "で", "記録", "が", "失わ", "れる"],
    "大津委員長の挨拶": ["大津", "委員長", "の", "挨拶"],
    "大津波の後で大津委員長が述べた": ["大津波", "の", "後", "で", "大津", "委員長", "が", "述べ", "た"],
}


def test_a_name_counts_only_as_whole_words():
    people = [Person("p-otsu", "大津 浩子", roles=("委員長",), labels=("大津委員長",))]
    whole = SpeakerLexicon(people, segment=WORDS.__getitem__)
    assert whole.infer("大津波で記録が失われる") is None
    assert SpeakerLexicon(people).infer("大津波で記録が失われる") is not None  # without words, any occurrence
    inferred = whole.infer("大津委員長の挨拶")
    assert inferred is not None and inferred.person_ids == ("p-otsu",) and inferred.query == "の挨拶"
    inferred = whole.infer("大津波の後で大津委員長が述べた")
    assert inferred is not None and inferred.mention == "大津委員長"
    assert inferred.query == "大津波の後でが述べた"  # the whole-word mention is the one taken out


def test_role_words_take_the_longest_match():
    assert role_words("東京都副知事（東京都ＣＩＯ）") == ["副知事"]
    assert role_words("大臣政務官") == ["大臣政務官"]


@pytest.mark.parametrize(
    ("role", "broader"),
    [
        ("国務大臣", ["大臣"]),
        ("担当部長", ["部長"]),
        ("大臣政務官", ["政務官"]),
        ("副大臣", []),  # a deputy is no kind of the post
        ("准教授", []),
        ("文部科学副大臣", ["副大臣"]),  # the deputy's mark just before the post, wherever the role starts
        ("総務副部長", []),
        ("大臣", []),
    ],
)
def test_broader_roles(role, broader):
    assert list(broader_roles(role)) == broader


def test_a_role_word_finds_the_holders_of_its_kinds():
    # The Diet writes its ministers 国務大臣 (文部科学大臣 their post): 大臣 in a question names them,
    # as "the minister" in an English one does; 副大臣 stays its own
    people = [
        Person("p-moriyama", "盛山 正仁", roles=("国務大臣",), labels=("盛山国務大臣",)),
        Person("p-imaeda", "今枝 宗一郎", roles=("副大臣",), labels=("今枝副大臣",)),
    ]
    lexicon = SpeakerLexicon(people)
    for question in ("大臣が所信の読み誤りを正した発言", "What did the minister say?"):
        inferred = lexicon.infer(question)
        assert inferred is not None and inferred.person_ids == ("p-moriyama",)
    inferred = lexicon.infer("副大臣の抱負")
    assert inferred is not None and inferred.person_ids == ("p-imaeda",)


@pytest.mark.parametrize(
    ("kana", "romaji"),
    [("ムライ", "murai"), ("コシヅカ", "koshizuka"), ("ハットリ", "hattori"), ("サトウ", "sato"), ("ジュン", "jun")],
)
def test_romaji(kana, romaji):
    assert to_romaji(kana) == romaji


@pytest.mark.parametrize(
    ("text", "word", "bounds", "at"),
    [
        ("大津波と大津", "大津", {0, 3, 4, 6}, 4),
        ("大津波", "大津", {0, 3}, -1),
        ("大津波", "大津", None, 0),
        ("x", "大津", None, -1),
    ],
)
def test_word_at(text, word, bounds, at):
    assert word_at(text, word, bounds) == at


def test_the_sudachi_segmenter_gives_those_words(sudachi):
    segment = make_sudachi_segmenter()
    for text, words in WORDS.items():
        assert segment(text) == words
