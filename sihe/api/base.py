"""What every API module shares: the strict body schema (unknown fields are refused, naming them) and
the limit on lines per request.

A request carries at most MAX_LINES lines (documents of more lines go through the Excel import jobs):
a 20,000-line receipt held the stock locks for five minutes. More → 422 `too_many_lines`."""

import json
from typing import Annotated

from django.http import HttpResponse
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict, Field

MAX_LINES = 500
MAX_ID = 2**63 - 1  # a row id is a bigint: a larger number is refused as input, never sent to the database
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def rendered(data, status: int = 200) -> HttpResponse:
    """`data` already in its response schema's shape, rendered as the API renders every answer (a read that builds
    its answer in one statement skips re-validating it; its test checks it against the schema)."""
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), status=status,
                        content_type="application/json; charset=utf-8")
