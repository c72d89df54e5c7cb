"""The ledger over the open API: exact shapes, amounts as strings, 401/403/422/409, files."""

import datetime

from sihe.ledger.models import Voucher

CAPITAL = {
    "date": "2026-03-01",
    "lines": [
        {"account": "1002", "debit": "500000.00", "summary": "收到投资款", "cash_flow_item": "15"},
        {"account": "3001", "credit": "500000", "summary": "收到投资款", "partner": "INV1"},
    ],
}
SALE = {
    "date": "2026-03-15",
    "lines": [
        {"account": "1122", "debit": "11300", "summary": "销售", "partner": "C01"},
        {"account": "5001", "credit": "10000", "summary": "销售"},
        {"account": "2221.01.06", "credit": "1300", "summary": "销项税额"},
    ],
}


def test_accounts_need_a_token_and_list_the_chart(anonymous_api, api_as):
    assert anonymous_api.get("/api/v1/ledger/accounts").status_code == 401
    response = api_as("accountant").get("/api/v1/ledger/accounts")
    assert response.status_code == 200
    chart = {a["code"]: a for a in response.json_body}
    assert chart["2202.02"] == {
        "code": "2202.02", "name": "应付账款—暂估", "name_en": "Accounts payable - goods received not invoiced",
        "direction": "credit", "category": "liability", "parent": "2202", "is_leaf": True, "level": 2,
        "is_cash": False, "role": "grni", "dimensions": ["partner"],
    }
    assert chart["2221"]["is_leaf"] is False
    assert api_as("warehouse").get("/api/v1/ledger/accounts").status_code == 403


def test_make_review_post_by_two_accountants(api_as, make_user):
    from sihe.core.actor import Actor
    from sihe.hub.tokens import create_token
    from tests.conftest import ApiClient

    maker = api_as("accountant")
    _, token = create_token(user=make_user("accountant", "second"), name="t", actor=Actor.system("t"))
    checker = ApiClient(token)

    created = maker.post("/api/v1/ledger/vouchers", CAPITAL)
    assert created.status_code == 201, created.json_body
    vid = created.json_body["id"]
    assert created.json_body == {"id": vid, "number": None, "display": f"记-(#{vid})", "status": "draft"}

    own = maker.post(f"/api/v1/ledger/vouchers/{vid}/review")
    assert (own.status_code, own.json_body["code"]) == (409, "reviewer_is_maker")
    early = checker.post(f"/api/v1/ledger/vouchers/{vid}/post")
    assert (early.status_code, early.json_body["code"]) == (409, "not_reviewed")

    assert checker.post(f"/api/v1/ledger/vouchers/{vid}/review").json_body["status"] == "reviewed"
    posted = checker.post(f"/api/v1/ledger/vouchers/{vid}/post")
    assert posted.json_body == {"id": vid, "number": 1, "display": "记-0001", "status": "posted"}

    detail = maker.get(f"/api/v1/ledger/vouchers/{vid}").json_body
    assert detail["total"] == "500000.00"
    assert [(ln["account"], ln["debit"], ln["credit"], ln["cash_flow_item"]) for ln in detail["lines"]] == [
        ("1002", "500000.00", "0.00", 15), ("3001", "0.00", "500000.00", None),
    ]
    assert (detail["made_by"], detail["reviewed_by"], detail["posted_by"]) == ("accountant_user", "second", "second")

    red = checker.post(f"/api/v1/ledger/vouchers/{vid}/reverse", {})
    assert red.status_code == 201
    assert red.json_body["status"] == "draft"  # issue 11.10: reviewed by another person, like every voucher
    red_id = red.json_body["id"]
    assert checker.post(f"/api/v1/ledger/vouchers/{red_id}/review").json_body["code"] == "reviewer_is_maker"
    assert maker.post(f"/api/v1/ledger/vouchers/{red_id}/review").json_body["status"] == "reviewed"
    assert maker.post(f"/api/v1/ledger/vouchers/{red_id}/post").json_body["display"] == "记-0002"
    assert maker.get(f"/api/v1/ledger/vouchers/{vid}").json_body["reversed_by"] == red_id

    tb = maker.get("/api/v1/ledger/trial-balance?period=2026-03&show_all=true").json_body  # 红字 nets to zero
    bank = next(r for r in tb["rows"] if r["code"] == "1002")
    assert (bank["debit"], bank["credit"], bank["closing"]) == ("0.00", "0.00", "0.00")
    assert tb["totals"]["balanced"] is True


def test_unbalanced_is_422_and_changes_nothing(api_as):
    payload = {**SALE, "lines": [*SALE["lines"][:2], {**SALE["lines"][2], "credit": "1200"}]}
    response = api_as("accountant").post("/api/v1/ledger/vouchers", payload)
    assert response.status_code == 422
    assert response.json_body["code"] == "unbalanced"
    assert (response.json_body["debit"], response.json_body["credit"]) == ("11300.00", "11200.00")
    assert Voucher.objects.count() == 0


def test_bad_input_is_a_4xx_naming_the_field(api_as):
    api = api_as("accountant")
    cases = [
        ({**CAPITAL, "date": "2026-13-01"}, 422, "date"),
        ({**CAPITAL, "lines": [{**CAPITAL["lines"][0], "debit": "x"}, CAPITAL["lines"][1]]}, 422, "lines.0.debit"),
        ({**CAPITAL, "lines": [{**CAPITAL["lines"][0], "account": "1122.99"}, CAPITAL["lines"][1]]}, 422,
         "lines.0.account"),
        ({**CAPITAL, "lines": [{**CAPITAL["lines"][0], "cash_flow_item": None}, CAPITAL["lines"][1]]}, 422,
         "lines.0.cash_flow_item"),
        ({**CAPITAL, "word": "X"}, 422, "word"),
        ({**CAPITAL, "lines": []}, 422, "lines"),
    ]
    for payload, status, field in cases:
        response = api.post("/api/v1/ledger/vouchers", payload)
        assert (response.status_code, response.json_body["field"]) == (status, field), response.json_body
    assert api.get("/api/v1/ledger/trial-balance?period=2026-3").json_body["field"] == "period"
    assert Voucher.objects.count() == 0


def test_a_warehouse_user_may_not_post_or_close(api_as):
    accountant = api_as("accountant")
    vid = accountant.post("/api/v1/ledger/vouchers", CAPITAL).json_body["id"]
    warehouse = api_as("warehouse")
    for path in (f"/api/v1/ledger/vouchers/{vid}/post", "/api/v1/ledger/periods/2026-03/close"):
        response = warehouse.post(path)
        assert (response.status_code, response.json_body["code"]) == (403, "forbidden")
    assert warehouse.post("/api/v1/ledger/vouchers", CAPITAL).status_code == 403
    assert Voucher.objects.count() == 1
    assert api_as("manager").get("/api/v1/ledger/statements/balance-sheet?period=2026-03").status_code == 200


def test_close_in_one_call_then_posting_is_refused_then_reopen(api_as):
    api = api_as("accountant")
    refused = api.post("/api/v1/ledger/periods/2026-03/close")
    assert refused.status_code == 200  # nothing to check against: an empty month closes
    response = api.post("/api/v1/ledger/vouchers", CAPITAL)
    assert (response.status_code, response.json_body["code"], response.json_body["field"]) == (409, "period_closed", "date")
    again = api.post("/api/v1/ledger/periods/2026-03/close")
    assert (again.status_code, again.json_body["code"]) == (409, "period_closed")
    reopened = api.post("/api/v1/ledger/periods/2026-03/reopen", {"reason": "补录"})
    assert reopened.json_body["status"] == "open"
    assert api.post("/api/v1/ledger/vouchers", CAPITAL).status_code == 201
    blocked = api.post("/api/v1/ledger/periods/2026-03/close")
    assert (blocked.status_code, blocked.json_body["code"]) == (400, "close_checks_failed")
    assert [c["ok"] for c in blocked.json_body["checks"] if c["code"] == "vouchers_posted"] == [False]


def test_statements_as_json_xlsx_and_pdf(api_as):
    api = api_as("accountant")
    body = api.get("/api/v1/ledger/statements/income-statement?period=2026-03").json_body
    assert body["form"] == "会小企02表"
    assert body["lines"][0] == {"line_no": 1, "name": "一、营业收入", "current": "0.00", "comparative": "0.00"}
    assert len(body["lines"]) == 32
    bs = api.get("/api/v1/ledger/statements/balance-sheet?period=2026-03").json_body
    assert [line["line_no"] for line in bs["lines"]] == list(range(1, 54))
    cf = api.get("/api/v1/ledger/statements/cash-flow?period=2026-03").json_body
    assert [line["line_no"] for line in cf["lines"]] == list(range(1, 23))
    xlsx = api.get("/api/v1/ledger/statements/balance-sheet?period=2026-03&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = api.get("/api/v1/ledger/statements/cash-flow?period=2026-03&format=pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert api.get("/api/v1/ledger/statements/nope?period=2026-03").status_code == 422
    assert api.get("/api/v1/ledger/trial-balance?period=2026-03&format=xlsx").content[:2] == b"PK"


def test_voucher_list_and_trial_balance_take_a_fixed_number_of_queries(api_as, django_assert_max_num_queries):
    from sihe.core.actor import Actor
    from sihe.ledger import services

    api = api_as("accountant")
    for n in range(6):
        services.book(rule="sales.revenue", date=datetime.date(2026, 3, 1 + n),
                      amounts={"net": "100", "tax": "13", "total": "113"}, source_type="t", source_id=str(n), memo="",
                      actor=Actor.system("t"), dimensions={"partner": f"C{n}"})
    with django_assert_max_num_queries(12):
        assert len(api.get("/api/v1/ledger/vouchers?period=2026-03").json_body) == 6
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/ledger/trial-balance?period=2026-03").json_body["totals"]["debit"] == "678.00"


def test_close_and_reopen_emit_events_with_their_payloads(api_as):
    from sihe.core.models import Event

    api = api_as("accountant")
    api.post("/api/v1/ledger/periods/2026-02/close")
    api.post("/api/v1/ledger/periods/2026-02/reopen", {"reason": "补录"})
    assert [(e.type, e.aggregate_id, e.payload) for e in Event.objects.filter(type__startswith="ledger.period")] == [
        ("ledger.period.closed", "2026-02", {"period": "2026-02", "vouchers": [], "early": False, "reason": ""}),
        ("ledger.period.reopened", "2026-02", {"period": "2026-02", "reason": "补录"}),
    ]


def test_hostile_input_is_a_4xx_never_a_500(api_as):
    api = api_as("accountant")
    line0, line1 = CAPITAL["lines"]
    cases = [
        {**CAPITAL, "lines": [{**line0, "summary": "a\x00b"}, line1]},
        {**CAPITAL, "lines": [{**line0, "debit": "1e30"}, {**line1, "credit": "1e30"}]},
        {**CAPITAL, "lines": [{**line0, "cash_flow_item": "99999999999999999999"}, line1]},
        {**CAPITAL, "lines": [{**line0, "debit": "NaN"}, line1]},
        {**CAPITAL, "extra": 1},
    ]
    for payload in cases:
        response = api.post("/api/v1/ledger/vouchers", payload)
        assert 400 <= response.status_code < 500, (payload, response.status_code)
    assert api.get("/api/v1/ledger/vouchers/99999999999999999999").status_code in (404, 422)
    assert api.post("/api/v1/ledger/vouchers/9223372036854775807/post").status_code == 404
    assert api.get("/api/v1/ledger/ledgers/1002?period_from=2026-03&period_to=2026-01").status_code == 422
    assert Voucher.objects.count() == 0


def test_an_accountant_adds_a_sub_account_and_the_income_statement_shows_its_line(api_as):
    api = api_as("accountant")
    # 5602.02 业务招待费 (role admin_entertainment, read by line 16) is seeded; the accountant adds 差旅费 beside it
    created = api.post("/api/v1/ledger/accounts", {"parent": "5602", "code": "5602.07", "name": "差旅费",
                                                   "dimensions": ["department"]})
    assert created.status_code == 201, created.json_body
    assert (created.json_body["direction"], created.json_body["category"], created.json_body["level"]) == (
        "debit", "profit_loss", 2)
    assert api.post("/api/v1/ledger/accounts", {"parent": "5602", "code": "5602.99", "name": "其他"}).status_code == 409
    refused = api.post("/api/v1/ledger/vouchers", {"date": "2026-03-02", "lines": [
        {"account": "5602", "debit": "10", "summary": "x"}, {"account": "2241", "credit": "10", "summary": "x"}]})
    assert (refused.status_code, refused.json_body["code"]) == (422, "not_leaf")
    vid = api.post("/api/v1/ledger/vouchers", {"date": "2026-03-02", "lines": [
        {"account": "5602.02", "debit": "300", "summary": "招待"}, {"account": "2241", "credit": "300", "summary": "x"}]}
    ).json_body["id"]
    from sihe.core.actor import Actor
    from sihe.ledger import services

    voucher = Voucher.objects.get(pk=vid)
    services.review_voucher(voucher=voucher, actor=Actor.system("other"))
    services.post_voucher(voucher=voucher, actor=Actor.system("other"))
    lines = {ln["line_no"]: ln for ln in api.get("/api/v1/ledger/statements/income-statement?period=2026-03").json_body["lines"]}
    assert (lines[14]["current"], lines[16]["current"], lines[32]["current"]) == ("300.00", "300.00", "-300.00")
    # 2241 is in use: as in 金蝶/用友 its balance moves into the new first child (the voucher stays as it is)
    in_use = api.post("/api/v1/ledger/accounts", {"parent": "2241", "code": "2241.01", "name": "押金"})
    assert in_use.status_code == 201, in_use.json_body
    rows = {r["code"]: r for r in api.get("/api/v1/ledger/trial-balance?period=2026-03").json_body["rows"]}
    assert (rows["2241"]["closing"], rows["2241.01"]["closing"]) == ("300.00", "300.00")
    assert Voucher.objects.get(pk=vid).lines.get(seq=2).account.code == "2241"
    role = api.post("/api/v1/ledger/accounts", {"parent": "5602", "code": "5602.08", "name": "研发",
                                                "role": "no_such_role"})
    assert (role.status_code, role.json_body["code"]) == (422, "unknown_role")
    assert api_as("warehouse").post("/api/v1/ledger/accounts", {"parent": "5602", "code": "5602.08",
                                                                 "name": "研究费用"}).status_code == 403


def test_voucher_words_must_fit_their_lines(api_as):
    api = api_as("accountant")
    assert api.post("/api/v1/ledger/vouchers", {**CAPITAL, "word": "收"}).status_code == 201
    for word in ("付", "转"):
        response = api.post("/api/v1/ledger/vouchers", {**CAPITAL, "word": word})
        assert (response.status_code, response.json_body["code"], response.json_body["field"]) == (
            422, "wrong_word", "word")
    assert api.post("/api/v1/ledger/vouchers", {**SALE, "word": "转"}).status_code == 201
    assert Voucher.objects.count() == 2


def test_opening_balances_over_the_api_are_checked_before_saving(api_as):
    from sihe.ledger.models import OpeningBalance

    api = api_as("accountant")
    rows = [{"account": "1002", "debit": "800"}, {"account": "1405", "debit": "200", "warehouse": "WH1"},
            {"account": "3001", "credit": "999"}]
    refused = api.post("/api/v1/ledger/opening-balances", {"period": "2026-01", "rows": rows})
    assert (refused.status_code, refused.json_body["code"]) == (422, "unbalanced")
    assert OpeningBalance.objects.count() == 0
    rows[2]["credit"] = "1000"
    saved = api.post("/api/v1/ledger/opening-balances", {"period": "2026-01", "rows": rows})
    assert saved.json_body == {"period": "2026-01", "rows": 3}
    tb = api.get("/api/v1/ledger/trial-balance?period=2026-01").json_body
    assert {r["code"]: r["opening"] for r in tb["rows"]} == {"1002": "800.00", "1405": "200.00", "3001": "1000.00"}
    assert api.post("/api/v1/ledger/opening-balances", {"period": "2026-01", "rows": [
        {"account": "5001", "credit": "1"}, {"account": "1002", "debit": "1"}]}).json_body["code"] == "profit_loss_opening"


def test_11_8_closing_a_month_that_has_not_ended_asks_and_keeps_the_reason(api_as, clock):
    """Issue 11.8: closing the current month early stopped the warehouse from shipping, unasked."""
    from sihe.core.models import AuditEntry
    from sihe.ledger.models import Period

    clock.at(2026, 3, 20)
    api = api_as("accountant")
    # when the accountant closes March on the 20th without confirming
    refused = api.post("/api/v1/ledger/periods/2026-03/close")
    assert (refused.status_code, refused.json_body["code"], refused.json_body["field"]) == (
        409, "period_not_ended", "confirm_early")
    no_reason = api.post("/api/v1/ledger/periods/2026-03/close", {"confirm_early": True})
    assert (no_reason.status_code, no_reason.json_body["field"]) == (422, "reason")
    assert not Period.objects.filter(code="2026-03", status="closed").exists()
    # then confirmed with a reason it closes, and the reason is in the audit trail
    closed = api.post("/api/v1/ledger/periods/2026-03/close", {"confirm_early": True, "reason": "审计要求提前结账"})
    assert closed.status_code == 200 and closed.json_body["status"] == "closed"
    assert AuditEntry.objects.get(action="close_early").new_value == "审计要求提前结账"
    # reopening needs a reason too
    assert api.post("/api/v1/ledger/periods/2026-03/reopen", {"reason": ""}).status_code == 422
    assert api.post("/api/v1/ledger/periods/2026-03/reopen", {"reason": "补录"}).status_code == 200
    assert AuditEntry.objects.filter(action="reopen", new_value="补录").count() == 1
    # and once March is over, closing needs no confirmation
    clock.at(2026, 4, 1)
    assert api.post("/api/v1/ledger/periods/2026-03/close").status_code == 200


def test_11_8_the_close_page_asks_before_closing_early(client, make_user, clock):
    clock.at(2026, 3, 20)
    client.force_login(make_user("accountant", "acc_page"))
    page = client.get("/ledger/close/?period=2026-03").content.decode()
    assert "data-early" in page and "本月尚未结束" in page and 'name="reason"' in page
    client.post("/ledger/close/?period=2026-03", {"act": "close"})
    from sihe.ledger.models import Period

    assert not Period.objects.filter(code="2026-03", status="closed").exists()
    client.post("/ledger/close/?period=2026-03", {"act": "close", "confirm_early": "1", "reason": "年审"})
    assert Period.objects.get(code="2026-03").status == "closed"
