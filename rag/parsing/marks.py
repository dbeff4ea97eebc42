"""The marks summary-style minutes share between their header and their body: bullets, item
numbers, bracketed labels, the shape of a name, and the words that name a group of attendees."""

from __future__ import annotations

import re

# A bullet before an item or a speech: ▪ • ・ ● ◦ - * ➢ ➤ ► ▶
BULLET = re.compile(r"^[▪•・●◦\-*➢➤►▶]\s*")
# A mark that may head a topic or name a speaker (■防災について, ○宮坂) before a sentence, a space
# between them: a bullet there (□ 開発チームを強化していきたい。)
SENTENCE_BULLET = re.compile(r"^[■□◆◇○〇][ 　]+(?=[^。]*。)")
# （宮坂）, and （畑中（オブザーバー））: a label that carries its own brackets, one level deep.
PAREN_LABEL = re.compile(r"^[（(]((?:[^（(）)0-9０-９]|[（(][^（(）)]{1,20}[）)]){1,40})[）)]$")
# One word of a name in kanji, and a surname alone (two to four kanji)
NAME_TOKEN = re.compile(r"^[\u4e00-\u9fff々ヶ]{1,4}$")
SURNAME_LABEL = re.compile(r"^[\u4e00-\u9fff々ヶ]{2,4}$")
# A group over the roster lines under it (■委員, 【事務局】)
GROUP_LINE = re.compile(r"^[■□◆【\[]\s*([^】\]]{1,12})[】\]]?\s*$")
# The number before an item (1. , （２）, 三、, ３　, ①)
ITEM_NUMBER = re.compile(
    r"^(?:[（(]?[0-9０-９一二三四五六七八九十]+[）).．、]\s*|[0-9０-９]{1,2}[ 　]+(?=\S)|[①-⑳]\s*)"
)
# Words that name a group of attendees on a line of their own
GROUP_WORDS = {
    "委員",
    "構成員",
    "オブザーバー",
    "有識者",
    "事務局",
    "関係者",
    "説明者",
    "東京都",
    "専門委員",
    "臨時委員",
}
