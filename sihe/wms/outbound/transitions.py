"""The lives of a wave and of a pick list (one table each; services check them, pages ask them).

pick list: open → picking (first bin scanned) → done (no stop left); open or picking → cancelled.
wave: released → picking → picked (every list done or cancelled) → done (every shipment shipped or
cancelled); a wave may skip ahead (all its orders shipped from the service page: released → done).
"""

from sihe.core.transitions import Lifecycle
from sihe.wms.outbound.models import PickList, Wave

P = PickList.State
W = Wave.State

PICKLIST = Lifecycle("pick list", P, {
    "start": ({P.OPEN}, P.PICKING),
    "finish": ({P.OPEN, P.PICKING}, P.DONE),
    "cancel": ({P.OPEN, P.PICKING}, P.CANCELLED),
})

WAVE = Lifecycle("wave", W, {
    "start": ({W.RELEASED}, W.PICKING),
    "picked": ({W.RELEASED, W.PICKING}, W.PICKED),
    "done": ({W.RELEASED, W.PICKING, W.PICKED}, W.DONE),
    "cancel": ({W.RELEASED}, W.CANCELLED),
})
WAVE_ACT = {W.PICKING: "start", W.PICKED: "picked", W.DONE: "done", W.CANCELLED: "cancel"}
