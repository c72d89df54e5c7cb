"""Which vouchers a print run takes: one voucher, or a period's vouchers by number range (凭证号 from … to …,
optionally of one word), in the order they are filed: word, then number."""

from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed
from sihe.ledger.models import Voucher


def voucher_range(*, period: str, start: int | None = None, end: int | None = None, word: str = ""):
    if start is not None and end is not None and start > end:
        raise ValidationFailed(_("the first number is after the last"), field="from")
    if word and word not in Voucher.Word.values:
        raise ValidationFailed(_("the voucher word must be one of %(words)s") % {"words": ", ".join(Voucher.Word.values)},
                               field="word")
    qs = (Voucher.objects.filter(period__code=period, number__isnull=False)
          .prefetch_related("lines__account__parent__parent", "attachments").order_by("word", "number"))
    if word:
        qs = qs.filter(word=word)
    if start is not None:
        qs = qs.filter(number__gte=start)
    if end is not None:
        qs = qs.filter(number__lte=end)
    return qs
