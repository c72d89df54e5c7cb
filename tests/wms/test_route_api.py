"""POST /api/v1/wms/routes/plan — the what-if route planner."""

PLAN = {
    "layout": {"aisles": 10, "slots_per_aisle": 30, "slot_pitch": "1.0", "aisle_spacing": "3.0",
               "cross_aisle_width": "2.0", "depot_aisle": 0},
    "picks": [{"aisle": 2, "slot": 5, "side": "L"}, {"aisle": 5, "slot": 20, "side": "R"},
              {"aisle": 7, "slot": 3, "side": "L"}, {"aisle": 7, "slot": 28, "side": "L"}],
    "method": "optimal",
}


def test_plan_returns_the_optimal_length_and_stops_in_order(api_as):
    response = api_as("warehouse").post("/api/v1/wms/routes/plan", PLAN)
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["length"] == "119.00"
    assert [(s["sequence"], s["aisle"], s["slot"]) for s in body["stops"]] == [(1, 2, 5), (2, 5, 20), (3, 7, 28), (4, 7, 3)]
    assert (body["stops"][0]["x"], body["stops"][0]["y"]) == ("6.00", "6.50")
    assert body["path"][0] == body["path"][-1] == ["0.00", "0.00"]


def test_each_method_and_the_svg_map(api_as):
    api = api_as("manager")
    lengths = {m: api.post("/api/v1/wms/routes/plan", {**PLAN, "method": m}).json_body["length"]
               for m in ("optimal", "s_shape", "return", "midpoint", "largest_gap", "combined")}
    assert lengths == {"optimal": "119.00", "s_shape": "165.00", "return": "157.00", "midpoint": "127.00",
                       "largest_gap": "127.00", "combined": "119.00"}
    svg = api.post("/api/v1/wms/routes/plan?format=svg", PLAN)
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.count(b"<circle") == 4


def test_bad_input_names_the_field(api_as):
    api = api_as("warehouse")
    bad_aisle = api.post("/api/v1/wms/routes/plan", {**PLAN, "picks": [{"aisle": 10, "slot": 1}]})
    assert bad_aisle.status_code == 422 and bad_aisle.json_body["field"] == "picks[0].aisle"
    bad_method = api.post("/api/v1/wms/routes/plan", {**PLAN, "method": "fastest"})
    assert bad_method.status_code == 422 and bad_method.json_body["field"] == "method"
    bad_depot = api.post("/api/v1/wms/routes/plan", {**PLAN, "layout": {**PLAN["layout"], "depot_aisle": 12}})
    assert bad_depot.status_code == 422 and bad_depot.json_body["field"] == "layout.depot_aisle"


def test_accountant_may_not_plan_routes(api_as):
    assert api_as("accountant").post("/api/v1/wms/routes/plan", PLAN).status_code == 403
