"""The zh-Hans catalogue of invoicing (loaded by Django once sihe.invoicing is an installed app)."""

import gettext
from pathlib import Path

import sihe.invoicing


def test_zh_hans_catalogue_translates_invoice_errors():
    catalogue = gettext.translation("django", localedir=Path(sihe.invoicing.__file__).parent / "locale",
                                    languages=["zh_Hans"])
    assert catalogue.gettext("the tax classification code must be 19 digits") == "税收分类编码必须是 19 位数字"
    assert catalogue.gettext("the accumulated tax difference %(error)s exceeds 1.27") % {"error": "1.32"} == (
        "累计税额误差 1.32 超过 1.27")
