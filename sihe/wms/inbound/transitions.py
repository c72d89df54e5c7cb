"""An expected receipt's (ASN) life, one table: expected → receiving → received as scans come in (the
status then follows the lines: what is received less rejected against what is expected); a rejection
reopens a received ASN; an open ASN is closed short or, before anything came, cancelled. Scanning more
into a received ASN (within tolerance) is allowed; nothing happens to a closed or cancelled one."""

from sihe.core.transitions import Lifecycle
from sihe.wms.inbound.models import Asn

S = Asn.Status

ASN = Lifecycle("expected receipt", S, {
    "receive": ({S.EXPECTED, S.RECEIVING, S.RECEIVED}, S.RECEIVING),
    "complete": ({S.EXPECTED, S.RECEIVING}, S.RECEIVED),
    "reopen": ({S.RECEIVED}, S.RECEIVING),
    "close": ({S.EXPECTED, S.RECEIVING}, S.CLOSED),
    "cancel": ({S.EXPECTED, S.RECEIVING}, S.CANCELLED),
})
