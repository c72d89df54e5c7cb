"""Errors of purchasing. Each names the field at fault (`lines[1].price`) and says why."""

from sihe.core.errors import Conflict, ValidationFailed


class ApprovalRequired(Conflict):
    """The order needs approvals it does not have yet: 409 with the missing levels."""

    code = "approval_required"


class OutOfTolerance(ValidationFailed):
    """A supplier invoice line outside the three-way-match tolerance: 422 naming the line."""

    code = "out_of_tolerance"


class UnknownReference(ValidationFailed):
    code = "unknown_reference"
