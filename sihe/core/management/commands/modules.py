"""`sihe modules [--enable X] [--disable Y] [--confirm] [--list]`: which wings this company uses.

Dependencies are refused with the reason (exit status 1, nothing changed); turning off a module with open
documents needs `--confirm`. See docs/design/modules.md."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import pgettext

from sihe.core import modules
from sihe.core.actor import Actor
from sihe.core.errors import DomainError


class Command(BaseCommand):
    help = "List the modules, or turn some on (--enable) or off (--disable); dependencies are enforced."

    def add_arguments(self, parser):
        parser.add_argument("--enable", action="append", default=[], metavar="MODULE", help="turn a module on")
        parser.add_argument("--disable", action="append", default=[], metavar="MODULE", help="turn a module off")
        parser.add_argument("--confirm", action="store_true",
                            help="turn off even when the module has open documents (they stay as they are)")
        parser.add_argument("--list", action="store_true", help="list the modules (the default)")

    def handle(self, *args, enable, disable, confirm, list, **opts):
        actor = Actor.system("cli:modules")
        try:
            # the ones turned on first, so `--enable production --disable purchasing` keeps planning fed
            with transaction.atomic(durable=True):
                for code in enable:
                    modules.set_enabled(code, True, actor=actor)
                for code in disable:
                    modules.set_enabled(code, False, actor=actor, confirm=confirm)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        off = modules.disabled()
        for module in modules.all_modules():
            state = pgettext("module", "off") if module.code in off else pgettext("module", "on")
            needs = "; ".join(" | ".join(g) for g in module.requires)
            self.stdout.write(f"{module.code:<12} {state:<4} {module.label}" + (f"  ({pgettext('module', 'needs')} {needs})" if needs else ""))
