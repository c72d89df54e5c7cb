"""The 应交增值税 专栏 on the debit side (进项税额, 销项税额抵减, 已交税金, 转出未交增值税, 减免税款) get the debit
balance direction: they were seeded as credit, so the trial balance and the pages showed 进项税额 as a negative
credit balance (−170.30) instead of a debit one. Adds 应交税费—待认证进项税额 (专票 input VAT until 勾选/认证)."""

from django.db import migrations

DEBIT_COLUMNS = ("vat_input", "vat_output_deduction", "vat_paid", "vat_transfer_out", "vat_relief")


def forward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.filter(role__in=DEBIT_COLUMNS).update(direction="debit")
    parent = Account.objects.filter(code="2221").first()
    if parent is not None and not Account.objects.filter(role="vat_pending_input").exists():
        Account.objects.get_or_create(code="2221.09", defaults={
            "name": "待认证进项税额", "name_en": "Input VAT awaiting certification", "category": "liability",
            "direction": "debit", "parent": parent, "level": 2, "role": "vat_pending_input"})


def backward(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.filter(role__in=DEBIT_COLUMNS).update(direction="credit")


class Migration(migrations.Migration):
    dependencies = [("ledger_vat", "0001_initial"), ("ledger", "0006_numbers_from_the_numbering_service")]
    operations = [migrations.RunPython(forward, backward)]
