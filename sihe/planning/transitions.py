"""The lives of an MRP run and of a proposal (one table each; services check them)."""

from sihe.core.transitions import Lifecycle
from sihe.planning.models import MrpRun, Proposal

R = MrpRun.Status
P = Proposal.Status

RUN = Lifecycle("MRP run", R, {
    "start": ({R.QUEUED}, R.RUNNING),
    "finish": ({R.RUNNING}, R.DONE),
    "fail": ({R.QUEUED, R.RUNNING}, R.FAILED),
})

PROPOSAL = Lifecycle("proposal", P, {
    "confirm": ({P.OPEN}, P.CONFIRMED),
})
