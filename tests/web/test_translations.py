"""Every msgid of Sihe's catalogs has a reviewed zh_Hans translation, and that translation is the one users see.

Django merges all catalogs into one per language, and the first app listed wins: the same English word
translated twice ("From" as 起始日期 for dates and 从 for bins) shows one of them everywhere, and Django's own
admin catalog wins over ours ("Filter" → 过滤器). Such words take a context (pgettext). The check goes through
Django's translation machinery, so it also fails when a .mo file was not compiled after its .po changed.
"""

import ast
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

ROOT = Path(__file__).resolve().parents[2] / "sihe"
CATALOGS = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], fuzzy; the header left out."""
    found, entry, key = [], None, None

    def close():
        if entry and entry.get("msgid"):
            found.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            close()
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry = entry or {}
            entry["fuzzy"] = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        entry = entry or {}
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        entry[key] = ast.literal_eval(value)
    return found


def test_every_msgid_has_a_translation_and_no_fuzzy_one():
    assert len(CATALOGS) >= 20
    problems = []
    for path in CATALOGS:
        for e in entries(path):
            translations = [v for k, v in e.items() if k.startswith("msgstr")]
            if e.get("fuzzy") or not all(translations):
                problems.append(f"{path.relative_to(ROOT)}: {e.get('msgctxt', '')} {e['msgid']!r}")
    assert not problems, "untranslated or fuzzy:\n" + "\n".join(problems)


def test_each_translation_is_the_one_users_see():
    problems = []
    with translation.override("zh-hans"):
        for path in CATALOGS:
            for e in entries(path):
                context, msgid = e.get("msgctxt"), e["msgid"]
                if "msgid_plural" in e:
                    want = e["msgstr[0]"]
                    got = (npgettext(context, msgid, e["msgid_plural"], 1) if context
                           else ngettext(msgid, e["msgid_plural"], 1))
                else:
                    want = e["msgstr"]
                    got = pgettext(context, msgid) if context else gettext(msgid)
                if got != want:
                    problems.append(f"{path.relative_to(ROOT)}: {context or ''} {msgid!r} → {got!r}, not {want!r}")
    assert not problems, "another catalog wins (give the word a context) or a .mo is stale:\n" + "\n".join(problems)
