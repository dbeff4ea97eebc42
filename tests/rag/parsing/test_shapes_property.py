"""Property: documents built from random labels, speaker-line shapes and paragraphs parse back to
exactly the turns they were built from, and prose with colons or parentheses never opens a turn."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.parsing import parse_bytes

ROSTER = [
    "宮坂 学 東京都副知事",
    "村井 純 (座長) 慶應義塾大学教授",
    "小野 和俊 取締役",
    "越塚 登 東京大学教授",
    "深井 一郎 戦略部長",
]
PEOPLE = ["宮坂", "村井座長", "小野委員", "越塚", "深井戦略部長", "宮坂副知事"]
OFFICES = ["国分寺市", "中野区", "事務局", "事務局(デジタルサービス局戦略課)", "デジタルサービス局", "デジタル庁デジタル大臣政務官",
           "東京都CIO"]  # fmt: skip
SENTENCES = [
    "防災アプリの改修を進めている。",
    "注意:資料は後日配布する。",
    "予算は3億円(前年度比1割増)である。",
    "(資料1参照)のとおり進める。",
    "論点は次の通り:人材と予算。",
    "都として区市町村を支援したい。",
    "クラウドの冗長化が課題だと考える。",
    "結論:次回までに案を示す。",
    "利用者の声(アンケート)を反映したい。",
]
SHAPES = ["mark", "colon", "inline", "paren", "bare"]


@st.composite
def turns(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    out = []
    for _ in range(n):
        shape = draw(st.sampled_from(SHAPES))
        pool = OFFICES if shape == "bare" else PEOPLE if shape in ("inline", "paren") else PEOPLE + OFFICES
        label = draw(st.sampled_from(pool))
        sentences = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
        heading = draw(st.booleans()) and draw(
            st.sampled_from(["(1)防災について", "【2.意見交換】", "■人材育成について"])
        )
        out.append((shape, label, sentences, heading))
    return out


def render(spec) -> tuple[str, list[tuple[str, str]]]:
    lines = ["第7回 テスト検討会 議事要旨", "日時:令和6年4月1日(月)", "出席者", *ROSTER, "議事"]
    expected = []
    for shape, label, sentences, heading in spec:
        if heading:
            lines.append(heading)
        if shape == "mark":
            lines += [f"〇{label}", *sentences]
            expected.append((label, "".join(sentences)))
        elif shape == "colon":
            lines += [f"{label}:", *(f"・{s}" for s in sentences)]
            expected.append((label, "\n".join(sentences)))
        elif shape == "inline":
            lines += [f"{label}: {sentences[0]}", *(f"・{s}" for s in sentences[1:])]
            expected.append((label, "\n".join(sentences)))
        elif shape == "paren":
            lines += [f"({label})", *sentences]
            expected.append((label, "".join(sentences)))
        else:
            lines += [label, *(f"・{s}" for s in sentences)]
            expected.append((label, "\n".join(sentences)))
    return "\n".join(lines) + "\n", expected


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns())
def test_every_generated_turn_comes_back_with_its_label_and_text(spec):
    text, expected = render(spec)
    parsed = parse_bytes(text.encode(), "generated.txt")
    got = [(t.speaker.label, t.text) for t in parsed.turns]
    assert got == expected, text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=12))
def test_prose_alone_never_opens_a_turn(sentences):
    text = "第1回 テスト会議 議事要旨\n議事\n宮坂:\n" + "\n".join(f"・{s}" for s in sentences) + "\n"
    parsed = parse_bytes(text.encode(), "prose.txt")
    assert [t.speaker.label for t in parsed.turns] == ["宮坂"]
    assert parsed.turns[0].text == "\n".join(sentences)
