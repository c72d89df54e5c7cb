"""POST /api/v1/wms/routes/plan on a layout with middle cross aisles (several blocks)."""

from django.test import Client

# two blocks: aisles at x = 3a, cross aisles at y = 0, 7 and 14 (see test_routing_blocks.py for the hand figures)
PLAN = {
    "layout": {"aisles": 6, "slots_per_aisle": 10, "slot_pitch": "1.0", "aisle_spacing": "3.0",
               "cross_aisle_width": "2.0", "depot_aisle": 0, "cross_aisles": [5]},
    "picks": [{"aisle": 4, "slot": 1}, {"aisle": 2, "slot": 6, "side": "R"}, {"aisle": 3, "slot": 2},
              {"aisle": 1, "slot": 6, "ref": "B-01-06"}],
    "method": "optimal",
}


def test_optimal_on_two_blocks_is_the_best_heuristic_and_says_which(api_as):
    response = api_as("warehouse").post("/api/v1/wms/routes/plan", PLAN)
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert (body["method"], body["basis"], body["length"]) == ("optimal", "best_of:combined", "53.00")
    assert [(s["sequence"], s["aisle"], s["slot"], s["y"]) for s in body["stops"]] == [
        (1, 1, 6, "9.50"), (2, 2, 6, "9.50"), (3, 3, 2, "3.50"), (4, 4, 1, "2.50")]
    assert body["stops"][0]["ref"] == "B-01-06"
    assert body["path"][0] == body["path"][-1] == ["0.00", "0.00"]
    assert ["3.00", "7.00"] in body["path"]  # the picker turns onto the middle cross aisle


def test_each_multi_block_method_and_the_refused_ones(api_as):
    api = api_as("manager")
    lengths = {}
    for method in ("s_shape", "largest_gap", "combined"):
        body = api.post("/api/v1/wms/routes/plan", {**PLAN, "method": method}).json_body
        lengths[method] = (body["length"], body["basis"])
    assert lengths == {"s_shape": ("57.00", None), "largest_gap": ("59.00", None), "combined": ("53.00", None)}
    for method in ("return", "midpoint"):
        refused = api.post("/api/v1/wms/routes/plan", {**PLAN, "method": method})
        assert refused.status_code == 422 and refused.json_body["field"] == "method", refused.json_body


def test_bad_cross_aisles_name_the_field(api_as):
    api = api_as("warehouse")
    for cross in ([0], [10], [-2], [5, 5], [3, 99999999999999999999]):
        response = api.post("/api/v1/wms/routes/plan", {**PLAN, "layout": {**PLAN["layout"], "cross_aisles": cross}})
        assert response.status_code == 422, (cross, response.json_body)
        assert response.json_body["field"] == "layout.cross_aisles", (cross, response.json_body)


def test_single_block_answer_is_as_before_with_basis_null(api_as):
    single = {**PLAN, "layout": {k: v for k, v in PLAN["layout"].items() if k != "cross_aisles"}}
    body = api_as("warehouse").post("/api/v1/wms/routes/plan", single).json_body
    with_empty = api_as("warehouse").post(
        "/api/v1/wms/routes/plan", {**single, "layout": {**single["layout"], "cross_aisles": []}}).json_body
    assert body == with_empty
    assert (body["method"], body["basis"]) == ("optimal", None)


def test_svg_map_draws_the_middle_cross_aisles(api_as):
    svg = api_as("warehouse").post("/api/v1/wms/routes/plan?format=svg",
                                   {**PLAN, "layout": {**PLAN["layout"], "cross_aisles": [3, 7]}})
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    text = svg.content.decode()
    assert text.count('class="cross-aisle"') == 2 and text.count("<circle") == 4
    assert text.count("<rect") == 1 + 6 * 3 * 2 + 1  # background, 6 aisles × 3 blocks × 2 racks, depot


def test_openapi_documents_cross_aisles_and_basis(db):
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["LayoutIn"]["properties"]["cross_aisles"]["type"] == "array"
    assert "slots_per_aisle" in components["LayoutIn"]["properties"]["cross_aisles"]["description"]
    assert "basis" in components["PlanOut"]["properties"]
