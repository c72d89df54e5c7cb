"""What every API module shares: the strict body schema (unknown fields are refused, naming them) and
the limit on lines per request.

A request carries at most MAX_LINES lines (documents of more lines go through the Excel import jobs):
a 20,000-line receipt held the stock locks for five minutes. More → 422 `too_many_lines`."""

from ninja import Schema
from pydantic import ConfigDict

MAX_LINES = 500


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")
