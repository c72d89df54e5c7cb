"""`sihe demo`: load the demo company 上海四合贸易有限公司 (idempotent); `--logins` prints the logins.

The load is an ordered list of steps, `STEPS`. A step is a label, a count of items (the length of
its progress bar) and a loader `run(*, actor, advance) -> rows created` that skips what exists by
natural key and calls services only. A later wing adds its demo data (stock on hand, opening
balances, open orders …) by appending one `Step` to `STEPS`; each step runs in its own transaction.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sihe.catalog import demo as catalog_demo
from sihe.core import modules, tx
from sihe.core.actor import Actor
from sihe.core.roles import ACCOUNTANT, ADMIN, MANAGER, ROLES, SERVICE, SHOPFLOOR, WAREHOUSE, assign_role
from sihe.costing import demo as costing_demo
from sihe.ledger import demo as ledger_demo
from sihe.mes import demo as mes_demo
from sihe.oms import demo as oms_demo
from sihe.planning import demo as planning_demo
from sihe.production import demo as production_demo
from sihe.purchasing import demo as purchasing_demo
from sihe.wms.outbound import demo as outbound_demo

DEMO_PASSWORD = "sihe-demo"

# username, role, display name (first name). The demo's admin is staff, not a superuser: a superuser
# with a password printed on screen would own the installation.
USERS = [
    ("manager", MANAGER, "老板"),
    ("warehouse", WAREHOUSE, "仓库主管"),
    ("shopfloor", SHOPFLOOR, "车间班长"),
    ("service", SERVICE, "客服专员"),
    ("accountant", ACCOUNTANT, "会计"),
    ("admin", ADMIN, "系统管理员"),
]
# What the demo admin may do in /admin/: read everything, keep users and the settings tables.
ADMIN_EDITS = {"auth": ("user", "group"), "purchasing": ("approvalrule",),
               "oms": ("reviewpolicy", "blacklist", "currencyrate", "channelsync", "skumapping"),
               "wms_inbound": ("inspectionrule", "putawayrule"), "catalog": ("company",)}
# Passwords chosen by `--random-passwords`, printed once by the command (kept here only while it runs).
CHOSEN: dict[str, str] = {}


def _admin_permissions():
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    edits = Q()
    for app, models in ADMIN_EDITS.items():
        edits |= Q(content_type__app_label=app, content_type__model__in=models)
    return Permission.objects.filter(Q(codename__startswith="view_") | edits)


def load_users(*, actor: Actor, advance: Callable[[int], None]) -> int:
    """One user per role with the demo password (or each its own random one with --random-passwords);
    an existing username is left as it is."""
    User = get_user_model()
    existing = set(User.objects.filter(username__in=[u[0] for u in USERS]).values_list("username", flat=True))
    shared = make_password(DEMO_PASSWORD) if len(existing) < len(USERS) and not RANDOM[0] else ""
    created = 0
    for username, role, display in USERS:
        if username not in existing:
            password = shared
            if RANDOM[0]:
                CHOSEN[username] = secrets.token_urlsafe(9)
                password = make_password(CHOSEN[username])
            user = User.objects.create(username=username, email=f"{username}@sihe.example", password=password,
                                       first_name=display, is_staff=role == ADMIN, is_superuser=False)
            assign_role(user, role)
            if role == ADMIN:
                user.user_permissions.set(_admin_permissions())
            created += 1
        advance(1)
    return created


RANDOM = [False]


@dataclass(frozen=True)
class Step:
    label: str
    count: Callable[[], int]
    run: Callable[..., int]


STEPS: list[Step] = [
    Step(gettext_lazy("Company"), lambda: 1, catalog_demo.load_company),
    Step(gettext_lazy("Warehouses and zones"), lambda: len(catalog_demo.WAREHOUSES), catalog_demo.load_warehouses),
    Step(gettext_lazy("Bins"), lambda: len(catalog_demo.location_rows()), catalog_demo.load_locations),
    Step(gettext_lazy("Products"), lambda: len(catalog_demo.product_rows()), catalog_demo.load_products),
    Step(gettext_lazy("Customers and suppliers"), lambda: len(catalog_demo.partner_rows()), catalog_demo.load_partners),
    Step(gettext_lazy("Sales channels"), lambda: len(catalog_demo.CHANNELS), catalog_demo.load_channels),
    Step(gettext_lazy("Users, one per role"), lambda: len(USERS), load_users),
    Step(gettext_lazy("Opening balances"), lambda: 1, ledger_demo.load_opening_balances),
    Step(gettext_lazy("Stock on hand"), lambda: len(costing_demo.STOCKED), costing_demo.load_opening_stock),
    Step(gettext_lazy("Factory line"), lambda: 4, production_demo.load_factory),
    Step(gettext_lazy("Packaging line"), lambda: 3, mes_demo.load_line),
    Step(gettext_lazy("Purchase orders"), lambda: len(purchasing_demo.ORDERS), purchasing_demo.load_purchasing),
    Step(gettext_lazy("Orders from the channels"), lambda: oms_demo.ORDERS, oms_demo.load_orders),
    Step(gettext_lazy("Waves"), lambda: len(outbound_demo.warehouses_waiting()) or 1, outbound_demo.load_waves),
    Step(gettext_lazy("MRP run"), lambda: 2, planning_demo.load_plan),
]


def site_url() -> str:
    return f"http://{os.environ.get('SIHE_BIND', '127.0.0.1:8000')}/"


class Command(BaseCommand):
    help = "Load the demo company (idempotent: a second run changes nothing). --logins prints the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument("--random-passwords", action="store_true",
                            help="give each new demo user its own random password, printed once")

    def handle(self, *args, logins: bool, random_passwords: bool = False, **opts):
        RANDOM[0] = random_passwords
        CHOSEN.clear()
        console = Console(file=self.stdout, highlight=False, width=100)
        if logins:
            console.print(self.logins_table())
            return
        actor = Actor.system("demo")
        total_created = 0
        with Progress(
            TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=False,
        ) as progress:
            off = modules.disabled()
            for step in STEPS:
                if not modules.code_enabled(step.run, off):  # a wing turned off (sihe modules) loads nothing
                    module = modules.module_for_code(step.run.__module__)
                    console.print(_("%(step)s: skipped, module %(module)s is off")
                                  % {"step": step.label, "module": module.label if module else "?"})
                    continue
                task = progress.add_task(str(step.label), total=step.count())
                with tx.entry():
                    created = step.run(actor=actor, advance=lambda n, task=task: progress.advance(task, n))
                total_created += created
                progress.update(task, description=f"{step.label} (+{created})")
        if total_created:
            console.print(_("Demo company loaded: %(n)s new rows.") % {"n": total_created})
        else:
            console.print(_("Demo company already loaded: nothing changed."))
        if CHOSEN:
            console.print(self.logins_table(CHOSEN))
            console.print(_("These passwords are shown once: note them now."))
        elif not random_passwords:
            console.print(_("Logins: sihe demo --logins (password %(pw)s)") % {"pw": DEMO_PASSWORD})

    def logins_table(self, passwords: dict[str, str] | None = None) -> Table:
        table = Table(title=_("Sihe demo logins"), box=box.SIMPLE_HEAVY)
        for column in (_("username"), _("role"), _("password"), _("URL")):
            table.add_column(column, no_wrap=True)
        for username, role, _display in USERS:
            if passwords is None or username in passwords:
                table.add_row(username, f"{role} ({ROLES[role]})", (passwords or {}).get(username, DEMO_PASSWORD),
                              site_url())
        return table
