"""sihe.core.db.postgresql: Django's backend, whose per-request health check (SELECT 1) is skipped for a
connection that served a request cleanly less than a second ago, and still run otherwise."""

import pytest
from django.db import DatabaseError, connection, connections

from sihe.core.db.postgresql.base import FRESH_SECONDS

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend")


@pytest.fixture
def conn(db):
    """A connection of its own, used the way a request cycle uses one (close_old_connections at the
    request's start and end), outside the test's transaction."""
    own = connections.create_connection("default")
    checks = []
    usable = own.is_usable
    own.is_usable = lambda: checks.append("SELECT 1") or usable()
    own.checks = checks
    yield own
    own.close()


def request(conn, sql="SELECT 1"):
    conn.close_if_unusable_or_obsolete()  # request_started
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close_if_unusable_or_obsolete()  # request_finished


def test_the_engine_is_ours_with_health_checks_on():
    # its name ends in "postgresql" as Django's does: the PostgreSQL-only tests (parallel connections) and
    # other tools tell the database by that ending
    assert connection.settings_dict["ENGINE"] == "sihe.core.db.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_connection_that_just_served_is_not_checked_again(conn):
    request(conn)  # opens the connection: nothing to check
    request(conn)
    request(conn)
    assert conn.checks == []
    assert conn.connection is not None


def test_a_connection_idle_for_longer_is_checked_and_one_that_died_is_replaced(conn):
    request(conn)
    conn.served_at -= FRESH_SECONDS + 0.5  # idle for 1.5 s
    request(conn)
    assert conn.checks == ["SELECT 1"]
    # the server ends the session while the connection is idle: the check finds out, a new one serves
    pid = conn.connection.info.backend_pid
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    conn.served_at -= FRESH_SECONDS + 0.5
    request(conn)
    assert conn.checks == ["SELECT 1", "SELECT 1"]
    assert conn.connection.info.backend_pid != pid


def test_a_request_that_failed_leaves_a_connection_that_is_checked(conn):
    request(conn)
    with pytest.raises(DatabaseError):
        request(conn, "SELECT * FROM no_such_table")
    assert conn.checks == ["SELECT 1"]  # Django's own check at the end of the failed request
    assert conn.served_at is not None
    request(conn)
    assert conn.checks == ["SELECT 1"]  # just checked: not again


def test_a_statement_run_often_is_prepared_and_answers_the_same(db):
    """docs/decisions/0008: parameters bound by the server; the fifth run of a statement on a connection is
    prepared, later runs use it (pg_prepared_statements lists it) and give the same rows as the first."""
    from sihe.catalog.models import Uom

    Uom.objects.create(code="PRP", name="prepared")
    sql = 'SELECT "code", "name" FROM "catalog_uom" WHERE "code" = %s'
    with connection.cursor() as cursor:
        answers = []
        for _ in range(6):
            cursor.execute(sql, ["PRP"])
            answers.append(cursor.fetchall())
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ['%"catalog_uom"%'])
        prepared = [row[0] for row in cursor.fetchall()]
    assert answers == [[("PRP", "prepared")]] * 6
    assert prepared == ['SELECT "code", "name" FROM "catalog_uom" WHERE "code" = $1']
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
