"""Minutes saved from a web site: the main text of an HTML page, then parsed as one of the text formats.

Council sites publish minutes as pages: kaigiroku systems put a ``◯``/``○`` line per speech
inside ``<pre>`` or ``<p>`` blocks, and government pages wrap a 議事要旨 in navigation, breadcrumbs
and footers. The text is extracted with selectolax (the Lexbor HTML5 parser: fast, small, no
lxml); navigation, headers, footers, scripts and forms are dropped, and the main content is taken
from ``<main>``, ``[role=main]``, ``<article>`` or the usual content ids of Japanese municipal CMSs.
A boilerplate classifier such as trafilatura was not chosen: it is built to drop short lines, and
a speaker label (``〇深井戦略部長``) is exactly a short line. Block elements become line breaks,
``<br>`` a line break, ``<pre>`` keeps its lines, a table row's cells are separated by tabs.
"""

from __future__ import annotations

import re

from rag.errors import DependencyMissing, ParseError
from rag.parsing.base import is_column_names
from rag.text import squash

SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body|<meta|<title)", re.I | re.S)
_DROP = "script, style, noscript, template, nav, header, footer, aside, form, button, iframe, svg, select"
_DROP_ROLES = '[role="navigation"], [role="banner"], [role="contentinfo"], [role="search"], [aria-hidden="true"]'
# Ids and classes that hold navigation in the CMSs Japanese public bodies use (pankuzu: breadcrumbs).
_DROP_NAMES = re.compile(
    r"(^|[-_ ])(nav|gnav|menu|breadcrumbs?|pankuzu|topicpath|footer|sidebar|side|skip|sns)([-_ ]|$)", re.I
)
_MAIN = ("main", '[role="main"]', "article", "#main", "#contents", "#content", "#tmp_contents", "#main_body", ".main")
_BLOCKS = {
    "address", "article", "blockquote", "caption", "div", "dl", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
}  # fmt: skip
_CELLS = {"td", "th"}
# A main element with less text than this is a wrapper around something else: read the whole body.
_MIN_MAIN_CHARS = 200
_TITLE_SPLIT = re.compile(r"\s*[|｜]\s*|\s+[-–—]\s+")


def is_html(data: bytes, name: str) -> bool:
    """Whether the bytes are an HTML page (by its name or its first tag)."""
    return name.lower().endswith(SUFFIXES) or bool(_HTML_START.match(data[:2048]))


def _parser(text: str):
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError as exc:
        raise DependencyMissing("reading HTML minutes needs selectolax: pip install selectolax") from exc
    return LexborHTMLParser(text)


def extract_text(text: str, name: str) -> str:
    """The main text of an HTML page as lines; ``ParseError`` when the page holds no text."""
    tree = _parser(text)
    title_node = tree.css_first("title")
    title = _TITLE_SPLIT.split(title_node.text(strip=True))[0] if title_node is not None else ""
    for node in tree.css(f"{_DROP}, {_DROP_ROLES}"):
        node.decompose()
    for node in tree.css("[id], [class]"):
        names = f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        if _DROP_NAMES.search(names) and node.tag not in ("body", "html", "main"):
            node.decompose()
    root = _main(tree)
    if root is None:
        raise ParseError(f"{name}: the HTML page has no body", details={"file": name, "reason": "empty"})
    parts: list[str] = []
    _walk(root, parts)
    lines = _tidy("".join(parts))
    if not lines.strip():
        raise ParseError(f"{name}: the HTML page holds no text", details={"file": name, "reason": "empty"})
    if title and squash(title) not in squash(lines[:2000]):  # the page's <title> when the text lacks it
        lines = f"{title}\n{lines}"
    return lines


def _main(tree):
    body = tree.body
    for selector in _MAIN:
        node = tree.css_first(selector)
        if node is not None and len(node.text(strip=True)) >= _MIN_MAIN_CHARS:
            return node
    return body


def _walk(node, parts: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(re.sub(r"[ \t\r\n]+", " ", child.text_content or ""))
        elif tag == "br":
            parts.append("\n")
        elif tag == "pre":
            parts.append("\n" + (child.text(deep=True, strip=False) or "") + "\n")
        elif tag == "dt":  # a term and its description make one line: ◆１番（佐藤花子君）　質問, 日時　令和…
            parts.append("\n")
            _walk(child, parts)
            parts.append("\u3000")
        elif tag == "dd":
            _walk(child, parts)
            parts.append("\n")
        elif tag == "tr" and _column_names(child):
            continue  # 発言者 | 発言内容: what the columns hold, not minutes
        elif tag in _CELLS:  # a row's cells apart by tabs, as a table copied from a page is
            _walk(child, parts)
            parts.append("\t")
        elif tag in _BLOCKS:
            parts.append("\n")
            _walk(child, parts)
            parts.append("\n")
        elif tag not in ("-comment",):
            _walk(child, parts)


def _column_names(row) -> bool:
    """Whether a table row is its header, which names the columns: ``<th>`` cells only, each a short
    name (``<th>日時</th><th>令和6年…</th>`` holds data)."""
    cells = [c for c in row.iter() if c.tag in _CELLS]
    return all(c.tag == "th" for c in cells) and is_column_names([c.text(strip=True) for c in cells])


# The spaces around a cell's edge, and the gap an empty cell leaves: one tab
_CELL_GAP = re.compile(r" *\t[ \t]*")


def _tidy(text: str) -> str:
    """Lines stripped, runs of blank lines collapsed to one."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = _CELL_GAP.sub("\t", raw).strip(" \t\u3000")
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
