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


class Problems:
    """Collect every refusal of a form or a batch, then raise them together, as an Excel import does:

        problems = Problems()
        for i, line in enumerate(lines):
            with problems.collect():
                check(line)            # raises ValidationFailed naming lines[i].price
        problems.raise_if_any()        # the first one's message, with `errors` listing all of them
    """

    def __init__(self):
        self.errors: list[DomainError] = []

    def collect(self):
        return _Collector(self)

    def add(self, error: DomainError) -> None:
        self.errors.append(error)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        first = self.errors[0]
        listed = [{"field": e.field, "code": e.code, "message": e.message} for e in self.errors]
        if len(self.errors) == 1:
            raise first
        error = type(first)(first.message, field=first.field, code=first.code, **{**first.extra, "errors": listed})
        raise error


class _Collector:
    def __init__(self, problems: Problems):
        self.problems = problems

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _tb):
        if isinstance(error, ValidationFailed):
            self.problems.add(error)
            return True
        return False
