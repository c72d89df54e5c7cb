from sihe.core.errors import Conflict, NotFound, ValidationFailed


class DuplicateKey(Conflict):
    code = "duplicate"


class UnknownReference(ValidationFailed):
    code = "unknown_reference"


__all__ = ["DuplicateKey", "UnknownReference", "NotFound", "ValidationFailed"]
