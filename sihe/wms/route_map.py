"""An SVG picture of a pick route on the warehouse map: aisles, racks, picks in order, the path."""

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext

from sihe.wms.routing import Layout, Route

SCALE = 12  # pixels per metre
MARGIN = 30


def route_svg(layout: Layout, route: Route) -> str:
    width = float(layout.x(layout.aisles - 1)) * SCALE + 2 * MARGIN
    height = float(layout.back_y) * SCALE + 2 * MARGIN

    def px(x: Decimal, y: Decimal) -> tuple[float, float]:
        # y grows upwards in the warehouse and downwards on screen: the front cross aisle is at the bottom.
        return MARGIN + float(x) * SCALE, height - MARGIN - float(y) * SCALE

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="sans-serif" font-size="10">',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#f8fafc"/>',
    ]
    rack_w = min(float(layout.aisle_spacing) * SCALE / 4, 10)
    half = Decimal(layout.slot_pitch) / 2
    bounds = [0, *layout.cross_aisles, layout.slots_per_aisle]  # each block's first slot, and the end
    for aisle in range(layout.aisles):
        for first, end in zip(bounds, bounds[1:], strict=False):
            x0, y_front = px(layout.x(aisle), layout.y(first) - half)
            _, y_back = px(layout.x(aisle), layout.y(end - 1) + half)
            for side in (-1, 1):
                parts.append(
                    f'<rect x="{x0 + 2 if side > 0 else x0 - 2 - rack_w:.1f}" y="{y_back:.1f}" '
                    f'width="{rack_w:.1f}" height="{y_front - y_back:.1f}" fill="#cbd5e1"/>'
                )
        parts.append(f'<text x="{x0:.1f}" y="{height - 4:.1f}" text-anchor="middle" fill="#475569">{aisle}</text>')
    for number, y in enumerate(layout.cross_ys[1:-1], start=1):
        # a middle cross aisle: a dashed line along its centre line
        (x1, yy), (x2, _) = px(layout.x(0), y), px(layout.x(layout.aisles - 1), y)
        parts.append(
            f'<line class="cross-aisle" x1="{x1 - rack_w - 2:.1f}" y1="{yy:.1f}" x2="{x2 + rack_w + 2:.1f}" '
            f'y2="{yy:.1f}" stroke="#94a3b8" stroke-dasharray="4 3"><title>cross aisle {number}</title></line>'
        )
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in (px(x, y) for x, y in route.path))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#2563eb" stroke-width="2" stroke-linejoin="round"/>')
    dx, dy = px(*layout.depot)
    depot = escape(gettext("depot"))
    parts.append(f'<rect x="{dx - 6:.1f}" y="{dy - 6:.1f}" width="12" height="12" fill="#0f172a"><title>{depot}</title></rect>')
    for order, pick in enumerate(route.stops, start=1):
        cx, cy = px(layout.x(pick.aisle), layout.y(pick.slot))
        cx += -rack_w if pick.side == "L" else rack_w
        label = escape(pick.ref or f"{pick.aisle}-{pick.slot}{pick.side}")
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="#dc2626"><title>{order}: {label}</title></circle>'
            f'<text x="{cx:.1f}" y="{cy + 3:.1f}" text-anchor="middle" fill="white" font-size="8">{order}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
