"""`sihe token create USER [--role ROLE] [--create] [--name NAME]`: prints the new token alone on its last line.
`sihe token list [USER]`, `sihe token revoke ID`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.core.roles import ROLES, assign_role, role_of
from sihe.hub.models import ApiToken
from sihe.hub.tokens import create_token, revoke_token


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for USER")
        create.add_argument("username")
        create.add_argument("--role", choices=list(ROLES))
        create.add_argument("--create", action="store_true", help="create the user if missing")
        create.add_argument("--name", default="cli")
        listing = sub.add_parser("list")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, **opts):
        actor = Actor.system("cli")
        User = get_user_model()
        try:
            if action == "create":
                with transaction.atomic():
                    user = User.objects.filter(username=opts["username"]).first()
                    if user is None:
                        if not opts["create"]:
                            raise CommandError(f"no user {opts['username']!r}; add --create to make one")
                        user = User.objects.create_user(username=opts["username"])
                    if opts["role"]:
                        assign_role(user, opts["role"])
                    if role_of(user) is None:
                        raise CommandError(f"user {user.username} has no role; pass --role")
                    row, token = create_token(user=user, name=opts["name"], actor=actor)
                self.stdout.write(f"token #{row.id} for {user.username} (role {role_of(user)})")
                self.stdout.write(token)
            elif action == "list":
                rows = ApiToken.objects.select_related("user").order_by("id")
                if opts.get("username"):
                    rows = rows.filter(user__username=opts["username"])
                for row in rows:
                    state = "revoked" if row.revoked_at else "active"
                    self.stdout.write(f"{row.id}\t{row.user.username}\t{row.prefix}…\t{row.name}\t{state}")
            else:
                with transaction.atomic():
                    revoke_token(token_id=opts["token_id"], actor=actor)
                self.stdout.write(f"revoked token #{opts['token_id']}")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
