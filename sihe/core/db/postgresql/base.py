"""Django's PostgreSQL backend, with the per-request health check (CONN_HEALTH_CHECKS) skipped for a
connection that served a request without error less than `FRESH_SECONDS` ago.

Django sends `SELECT 1` before the first query of every request that reuses a connection, so a
connection the server dropped while it sat idle is replaced instead of failing the request. On a
busy server that round trip is a fifth of a simple API read (bench/api.py), and a connection that
just answered is not the one that died while idle. A connection idle for longer, or one that saw an
error, is still checked. docs/decisions/0007-health-check-on-idle-connections.md says why.
"""

import time

from django.db.backends.postgresql import base

FRESH_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    served_at: float | None = None  # time.monotonic() when the connection last finished a request cleanly

    def close_if_unusable_or_obsolete(self):
        # Called when a request starts and when it ends. Only at the end of a request that used the
        # connection is its health check done (the start of a request resets it).
        served = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if self.connection is None:
            self.served_at = None
        elif served:
            self.served_at = time.monotonic()

    def close_if_health_check_failed(self):
        if (self.health_check_enabled and not self.health_check_done and self.connection is not None
                and self.served_at is not None and time.monotonic() - self.served_at < FRESH_SECONDS):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
