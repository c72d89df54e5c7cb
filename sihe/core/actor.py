"""Who does an act, and when. Every service takes one explicitly."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str | None = None
    via: str = "web"  # web | api | cli | worker | system
    at: datetime = field(default_factory=timezone.now)

    @classmethod
    def for_user(cls, user, *, via: str = "web") -> "Actor":
        from sihe.core.roles import role_of

        return cls(user_id=user.pk, username=user.get_username(), role=role_of(user), via=via)

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(user_id=None, username=name, role="admin", via="system")

    def as_dict(self) -> dict:
        return {"user_id": self.user_id, "username": self.username, "role": self.role, "via": self.via}
