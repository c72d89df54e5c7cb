"""Reads of costing for the API and the pages."""

from sihe.costing.models import ValuationLayer


def layer_kinds():
    """The kinds of valuation layer (receipt, issue, revaluation, …) with their labels: the enum itself."""
    return ValuationLayer.Kind
