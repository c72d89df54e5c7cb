"""Fill zh_Hans translations into a .po file: `python scripts/fill_po.py FILE.po TABLE.json`.
TABLE maps msgid (or "context\x04msgid") to msgstr; matching entries lose their fuzzy mark."""

import json
import re
import sys


def unquote(lines):
    return "".join(json.loads(x) for x in lines)


def main(path, table_path):
    table = json.load(open(table_path, encoding="utf-8"))
    blocks = open(path, encoding="utf-8").read().split("\n\n")
    out, filled = [], 0
    for block in blocks:
        lines = block.split("\n")
        ctx = re.search(r'^msgctxt (".*")$', block, re.M)
        m = re.search(r'^msgid ((?:".*"\n?)+?)(?=^msgstr)', block + "\n", re.M)
        if m:
            msgid = unquote(re.findall(r'"(?:[^"\\]|\\.)*"', m.group(1)))
            key = (json.loads(ctx.group(1)) + "\x04" if ctx else "") + msgid
            if msgid and key in table:
                kept, in_msgstr = [], False
                for line in lines:
                    if line.startswith("#|"):
                        continue
                    if line.startswith("#,"):
                        flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
                        if not flags:
                            continue
                        line = "#, " + ", ".join(flags)
                    if line.startswith("msgstr"):
                        in_msgstr = True
                    if in_msgstr:
                        continue
                    kept.append(line)
                kept.append("msgstr " + json.dumps(table[key], ensure_ascii=False))
                lines = kept
                filled += 1
        out.append("\n".join(lines))
    open(path, "w", encoding="utf-8").write("\n\n".join(out))
    print(f"{path}: {filled} filled")


if __name__ == "__main__":
    main(*sys.argv[1:])
