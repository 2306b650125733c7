"""Side-by-side rows for the compare page, with the best value in each row marked."""

from .models import Aircraft

MIN_COMPARED = 2
MAX_COMPARED = 4


def comparison_rows(aircraft: list[Aircraft]) -> list[dict]:
    columns = [plane.specifications() for plane in aircraft]
    rows = []
    for index, first in enumerate(columns[0] if columns else []):
        cells = [column[index] for column in columns]
        values = [cell["value"] for cell in cells if cell["value"] is not None]
        best = None
        if first["best"] == "max" and len(values) >= 2 and len(set(values)) > 1:
            best = max(values)
        rows.append(
            {
                "label": first["label"],
                "key": first["key"],
                "cells": [{**cell, "is_best": best is not None and cell["value"] == best} for cell in cells],
            }
        )
    return rows
