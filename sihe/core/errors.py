"""Domain errors: a code a program can branch on, a message a person can read, the field at fault.

Services raise these; the API turns them into `{"code", "message", "field"}` with the status below,
the web pages show the message. Nothing is changed when one is raised inside an act.
"""


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.extra = extra

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field, **self.extra}


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
