"""The zh-Hans catalogue of the channel adapters (loaded by Django once sihe.oms is an installed app)."""

import gettext
from pathlib import Path

import sihe.oms


def test_zh_hans_catalogue_translates_the_refusal_reasons():
    catalogue = gettext.translation("django", localedir=Path(sihe.oms.__file__).parent / "locale",
                                    languages=["zh_Hans"])
    assert catalogue.gettext("is missing") == "缺失"
    assert catalogue.gettext("must be an integer number of fen") == "必须是以分为单位的整数"
    assert catalogue.gettext("unknown status %(status)s") % {"status": "X"} == "未知状态 X"
