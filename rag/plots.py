"""Matplotlib figures for the notebooks, with Japanese labels rendered in a CJK font.

matplotlib is an optional dependency (``pip install -e '.[notebooks]'``); importing this module
without it raises a message that says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.errors import DependencyMissing
from rag.explore import RemarkMap, SpeakerShare

# Debian's fonts-noto-cjk (installed by .ci/run), then common desktop fonts.
CJK_FONTS = ["Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "Hiragino Sans", "Yu Gothic"]


def _plt() -> Any:
    try:
        import matplotlib.pyplot as plt  # Jupyter picks its inline backend; a script without a display, Agg
        from matplotlib import font_manager
    except ImportError as exc:
        raise DependencyMissing("plots need matplotlib: pip install -e '.[notebooks]'") from exc
    available = {f.name for f in font_manager.fontManager.ttflist}
    if not available & set(CJK_FONTS):
        # Matplotlib caches its font list; a CJK font installed after that cache was written is
        # missing from it until the list is rebuilt (once, only when no CJK font is known).
        font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
        available = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in CJK_FONTS if f in available] + ["sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def japanese_font() -> str | None:
    """The CJK font the plots use, or None when none is installed (labels would show as boxes)."""
    plt = _plt()
    family = plt.rcParams["font.family"]
    return family[0] if family and family[0] != "sans-serif" else None


def speaker_bars(shares: Sequence[SpeakerShare], *, title: str = "") -> Any:
    """Horizontal bars: characters spoken per speaker."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(shares) + 1))
    labels = [f"{s.name}（{s.role}）" if s.role and len(s.role) <= 12 else s.name for s in shares]
    ax.barh(labels[::-1], [s.characters for s in shares][::-1], color="#0b57d0")
    ax.set_xlabel("発言文字数")
    ax.set_title(title or "発言量")
    fig.tight_layout()
    return fig


def heatmap(rows: Sequence[str], cols: Sequence[str], values: np.ndarray, *, title: str = "") -> Any:
    """A speaker × topic heatmap."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.2 * len(cols) + 3, 0.45 * len(rows) + 2))
    image = ax.imshow(values, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(cols)), [c if len(c) <= 14 else c[:13] + "…" for c in cols], rotation=40, ha="right")
    ax.set_yticks(range(len(rows)), list(rows))
    fig.colorbar(image, ax=ax, label="発言文字数")
    ax.set_title(title or "発言者 × 議題")
    fig.tight_layout()
    return fig


def timeline(points: Sequence[tuple[str, int]], *, subject: str) -> Any:
    """Remarks on a subject per meeting date."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar([d for d, _ in points], [n for _, n in points], color="#0b57d0")
    ax.set_ylabel("関連する発言数")
    ax.set_title(f"「{subject}」の発言の推移")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def remark_scatter(m: RemarkMap, *, colour_by: str = "speakers", top: int = 8) -> Any:
    """The 2-D map of remarks, coloured by speaker, topic or meeting (the ``top`` most frequent)."""
    plt = _plt()
    labels = getattr(m, colour_by)
    frequent = [name for name, _ in _most_common(labels, top)]
    fig, ax = plt.subplots(figsize=(7, 6))
    for name in frequent:
        idx = [i for i, lab in enumerate(labels) if lab == name]
        ax.scatter(m.xy[idx, 0], m.xy[idx, 1], s=14, label=name if len(name) <= 20 else name[:19] + "…")
    rest = [i for i, lab in enumerate(labels) if lab not in frequent]
    if rest:
        ax.scatter(m.xy[rest, 0], m.xy[rest, 1], s=8, color="#cccccc", label="その他")
    ax.set_xlabel(f"PC1 ({m.explained[0]:.0%})")
    ax.set_ylabel(f"PC2 ({m.explained[1]:.0%})")
    ax.legend(fontsize=8, loc="best")
    ax.set_title("発言の埋め込み（PCA）")
    fig.tight_layout()
    return fig


def _most_common(labels: Sequence[str], n: int) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])[:n]
