"""Katakana readings to Hepburn romaji, so that English questions can name Japanese speakers ("Murai")."""

from __future__ import annotations

import unicodedata

_DIGRAPHS = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
    "ティ": "ti", "ディ": "di", "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "ウィ": "wi",
    "ウェ": "we", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo", "シェ": "she", "ジェ": "je",
    "チェ": "che",
}  # fmt: skip
_KANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョ"
)
_ROMA = (
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
    "ma mi mu me mo ya yu yo ra ri ru re ro wa i e o n ga gi gu ge go za ji zu ze zo da ji zu de do "
    "ba bi bu be bo pa pi pu pe po vu a i u e o ya yu yo"
)
_MONO = dict(zip(_KANA, _ROMA.split(" "), strict=True))


def to_romaji(kana: str) -> str:
    """``ミヤサカ`` → ``miyasaka``; long vowels are dropped as in passports (オオノ → ono)."""
    text = unicodedata.normalize("NFKC", kana)
    text = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)  # hiragana → katakana
    out: list[str] = []
    i, double = 0, False
    while i < len(text):
        pair, char = text[i : i + 2], text[i]
        if char == "ッ":
            double, i = True, i + 1
            continue
        if pair in _DIGRAPHS:
            syllable, i = _DIGRAPHS[pair], i + 2
        elif char in _MONO:
            syllable, i = _MONO[char], i + 1
        elif char == "ー":
            i += 1
            continue
        else:
            syllable, i = char.lower() if char.isascii() else "", i + 1
        if double and syllable:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double = False
        out.append(syllable)
    return _passport_vowels("".join(out))


def _passport_vowels(text: str) -> str:
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        text = text.replace(long, short)
    return text
