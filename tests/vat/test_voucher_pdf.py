"""The printed 记账凭证: names, 合计 in 大写, 附单据 count, one voucher per sheet in a batch; read back with
pdftotext (poppler-utils) as an accountant would read the paper."""

import os
import subprocess

import pytest
from django.core.files.base import ContentFile

from sihe.ledger import printing, services, voucher_pdf
from sihe.ledger.vat import services as vat
from sihe.ledger.vat.selectors import signatures

SHOTS = os.environ.get("SIHE_VOUCHER_PDF_DIR")  # set it to keep the PDFs for looking at


def pdf_text(body: bytes, name: str, tmp_path) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
    if SHOTS:
        (open(os.path.join(SHOTS, f"{name}.pdf"), "wb")).write(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def people(make_user):
    from django.contrib.auth import get_user_model

    for username, last, first in (("maker", "王", "小红"), ("reviewer", "李", "明")):
        user = get_user_model().objects.filter(username=username).first()
        if user is not None:
            user.last_name, user.first_name = last, first
            user.save()


def test_one_voucher_with_names_words_and_attachments(post, maker, people, actor, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    vat.set_tax_profile(actor=actor)
    from sihe.ledger.vat.models import TaxProfile
    TaxProfile.objects.filter(pk=1).update(chief_accountant="赵会计", cashier="钱出纳")
    v = post("2026-03-10", [("1002", "11409.50", None, {"summary": "收到货款", "cash_flow_item": 1}),
                            ("1122", None, "11409.50", {"summary": "收到货款", "partner": "C001"})], word="收")
    for name in ("银行回单.pdf", "收款通知.jpg"):
        services.attach(voucher=v, file=ContentFile(b"x", name=name), actor=maker)
    body = voucher_pdf.render_vouchers([v], paper="voucher", company="杭州四合贸易有限公司", signatures=signatures())
    text = pdf_text(body, "voucher-paper", tmp_path)
    assert "收 款 凭 证" in text
    assert "核算单位：杭州四合贸易有限公司" in text
    assert "收-0001" in text and "2026年03月10日" in text
    assert "附单据 2 张" in text
    assert "合计：人民币壹万壹仟肆佰零玖元伍角整" in text
    assert text.count("11,409.50") == 4  # two lines and the two totals (¥11,409.50)
    assert "1002 银行存款" in text and "1122 应收账款" in text and "往来:C001" in text
    for label, name in (("会计主管", "赵会计"), ("记账", "李明"), ("审核", "李明"), ("出纳", "钱出纳"), ("制单", "王小红")):
        assert f"{label}：{name}" in text


def test_a_batch_by_number_range_one_voucher_per_sheet(post, tmp_path):
    for i in range(1, 5):
        post(f"2026-03-1{i}", [("5602.05", f"{i}00.00", None, {"department": "ADM"}), ("2241", None, f"{i}00.00")])
    picked = printing.voucher_range(period="2026-03", start=2, end=3)
    body = voucher_pdf.render_vouchers(picked, paper="a4", company="四合")
    text = pdf_text(body, "voucher-a4-batch", tmp_path)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    assert "记-0002" in pages[0] and "合计：人民币贰佰元整" in pages[0]
    assert "记-0003" in pages[1] and "合计：人民币叁佰元整" in pages[1]
    assert "记-0001" not in text and "记-0004" not in text
    assert "5602.05 管理费用—办公费" in text and "2241 其他应付款" in text and "附单据 0 张" in text


def test_a_long_voucher_goes_on_numbered_sheets(post, tmp_path):
    lines = [("5602.05", "10.00", None, {"department": "ADM", "summary": f"费用{i}"}) for i in range(8)]
    v = post("2026-03-20", [*lines, ("2241", None, "80.00")])
    text = pdf_text(voucher_pdf.render_vouchers([v], paper="voucher", company="四合"), "voucher-long", tmp_path)
    first, second = [p for p in text.split("\f") if p.strip()]
    assert "记-0001 1/2" in first and "过次页" in first and "合计" not in first
    assert "记-0001 2/2" in second and "合计：人民币捌拾元整" in second


@pytest.mark.django_db
def test_the_review_box_shows_who_set_an_act_going_not_the_act_s_own_words(maker, reviewer, people):
    # a depreciation run, a cash entry, the VAT month-end and a posting rule approve their own vouchers
    assert voucher_pdf.person("assets:depreciation 2026-07 (maker)") == "王小红（固定资产）"
    assert voucher_pdf.person("cashbank:receipt CB-0001 (reviewer)") == "李明（出纳）"
    assert voucher_pdf.person("rule:sales.revenue (maker)") == "王小红（凭证模板）"
    assert voucher_pdf.person("rule:sales.revenue") == "凭证模板"
    assert voucher_pdf.person("月末计税 vat") == "月末计税"
    # and a person is a person, a login without a name stays that login
    assert (voucher_pdf.person("reviewer"), voucher_pdf.person("nobody")) == ("李明", "nobody")
