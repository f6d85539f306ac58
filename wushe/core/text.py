"""Chinese-aware search text: name, full pinyin, pinyin initials and jieba words in one indexed string."""

import re

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(60)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def pinyin_forms(text: str) -> list[str]:
    if not text or not _HAN.search(text):
        return []
    syllables = lazy_pinyin(text, errors="ignore")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return ["".join(syllables).lower(), "".join(initials).lower()]


def build_search_text(*values: str | None) -> str:
    """Join the searchable forms of each value; stored on the record and matched with icontains."""
    parts: list[str] = []
    for value in values:
        if not value:
            continue
        value = str(value).strip()
        parts.append(value.lower())
        parts.extend(pinyin_forms(value))
        if _HAN.search(value) and len(value) > 3:
            parts.extend(word for word in jieba.cut_for_search(value) if len(word) > 1)
    return " ".join(dict.fromkeys(parts))


def search_terms(query: str) -> list[str]:
    """Split a user's query into terms that must all match; long Chinese phrases become jieba words."""
    terms: list[str] = []
    for chunk in query.lower().split():
        if _HAN.search(chunk) and len(chunk) > 4:
            terms.extend(word for word in jieba.cut(chunk) if word.strip())
        else:
            terms.append(chunk)
    return terms
