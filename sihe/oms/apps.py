from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OmsConfig(AppConfig):
    name = "sihe.oms"
    label = "oms"
    verbose_name = _("Orders")

    def ready(self):
        from sihe.oms import fulfilment
        from sihe.wms import shipping

        shipping.register_on_shipped(fulfilment.on_shipped)
        shipping.register_on_short(fulfilment.on_short)
        shipping.register_on_cancelled(fulfilment.on_cancelled)
        shipping.register_on_picking(fulfilment.on_picking)
