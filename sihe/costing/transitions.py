"""The life of a re-costing job (services check it)."""

from sihe.core.transitions import Lifecycle
from sihe.costing.models import RecostJob

J = RecostJob.Status

RECOST_JOB = Lifecycle("re-costing job", J, {
    "start": ({J.QUEUED}, J.RUNNING),
    "finish": ({J.RUNNING}, J.DONE),
    "fail": ({J.QUEUED, J.RUNNING}, J.FAILED),
})
