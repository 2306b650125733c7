"""Side-by-side rows for the compare page.

A row is one figure of one kind (a ferry range is never set against a typical
range). The best value is marked only where more is better and every compared
aircraft has that figure of that kind.
"""

from . import quantities
from .datasheet import datasheets
from .models import Aircraft

MIN_COMPARED = 2
MAX_COMPARED = 4


def comparison_rows(aircraft: list[Aircraft]) -> list[dict]:
    sheets = datasheets(aircraft)
    known = [sheet.known for sheet in sheets]
    order = list(quantities.QUANTITIES)
    keys = sorted(
        {key for rows in known for key in rows},
        key=lambda key: (order.index(key.split(":")[0]), key),
    )
    rows = []
    for key in keys:
        cells = [rows_of.get(key) for rows_of in known]
        first = next(cell for cell in cells if cell)
        values = [cell.metric_value for cell in cells if cell]
        best = None
        if first.figure.spec.more_is_better and len(values) == len(cells) and len(set(values)) > 1:
            best = max(values)
        rows.append(
            {
                "key": key,
                "label": first.label,
                "complete": len(values) == len(cells),
                "cells": [
                    {
                        "display": cell.display if cell else None,
                        "condition": cell.figure.condition if cell else "",
                        "value": cell.metric_value if cell else None,
                        "is_best": best is not None and cell is not None and cell.metric_value == best,
                    }
                    for cell in cells
                ],
            }
        )
    return rows
