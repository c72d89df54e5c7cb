"""The edges (API routes and pages) read through selectors and write through services: no ORM query of
a Sihe model is written in sihe/api or sihe/web (the import contract in pyproject.toml keeps them off
the models modules; this finds a query reached some other way, e.g. through a related manager's model)."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent / "sihe"
# Not Sihe's business models: Django's users and permissions (demo logins, the import command's user),
# and the API's own Idempotency-Key replay store.
ALLOWED = {
    "api/idempotency.py": "IdempotencyRecord",
    "web/management/commands/demo.py": "User|Permission",
    "web/imports/management/commands/import_excel.py": r"get_user_model\(\)",
}


def test_no_orm_query_in_api_or_web():
    found = []
    for area in ("api", "web"):
        for path in sorted((ROOT / area).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            allowed = ALLOWED.get(rel)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ".objects." not in line:
                    continue
                if allowed and re.search(rf"({allowed})\.objects\.", line):
                    continue
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == [], "queries to move into selectors or services:\n" + "\n".join(found)

