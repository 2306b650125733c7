"""A picture of an aircraft for link previews (Open Graph, Twitter cards): a PNG,
which every social site renders, drawn here without an imaging library.

The picture is a top-view silhouette in the proportions of the aircraft's own
figures: wingspan against length for a fixed-wing type, the rotor disc against
the fuselage for a rotorcraft. Without those figures it is drawn in typical
proportions. Pure Python: polygons filled by scanline, encoded by zlib.
"""

from __future__ import annotations

import math
import struct
import zlib

WIDTH, HEIGHT = 1200, 630  # the size Open Graph and Twitter's large card ask for
BACKGROUND = (16, 42, 67)
BAND = (224, 122, 31)
SHAPE = (236, 242, 248)
ROTOR = (120, 150, 180)

Polygon = list[tuple[float, float]]


def _fixed_wing(span_ratio: float) -> list[Polygon]:
    """Nose pointing right; x along the fuselage (0 to 1), y across it, in lengths."""
    half = span_ratio / 2
    body = 0.045
    fuselage = [
        (0.0, -body * 0.7),
        (0.78, -body),
        (0.95, -body * 0.6),
        (1.0, 0.0),
        (0.95, body * 0.6),
        (0.78, body),
        (0.0, body * 0.7),
    ]
    wing = [
        (0.62, -body),
        (0.40, -half),
        (0.32, -half),
        (0.38, -body),
        (0.38, body),
        (0.32, half),
        (0.40, half),
        (0.62, body),
    ]
    tail_half = max(half * 0.32, 0.08)
    tail = [
        (0.16, -body * 0.7),
        (0.05, -tail_half),
        (0.0, -tail_half),
        (0.03, 0.0),
        (0.0, tail_half),
        (0.05, tail_half),
        (0.16, body * 0.7),
    ]
    return [fuselage, wing, tail]


def _rotorcraft(disc_ratio: float) -> tuple[list[Polygon], tuple[float, float, float]]:
    body = 0.08
    fuselage = [
        (0.25, -body * 0.4),
        (0.55, -body),
        (0.9, -body * 0.9),
        (1.0, 0.0),
        (0.9, body * 0.9),
        (0.55, body),
        (0.25, body * 0.4),
    ]
    boom = [(0.0, -0.015), (0.3, -0.02), (0.3, 0.02), (0.0, 0.015)]
    fin = [(0.0, -0.07), (0.06, -0.07), (0.06, 0.07), (0.0, 0.07)]
    return [fuselage, boom, fin], (0.68, 0.0, disc_ratio / 2)


def _fill(rows: list[bytearray], polygon: list[tuple[float, float]], colour: tuple[int, int, int]) -> None:
    """Even-odd scanline fill of one polygon in pixel coordinates."""
    pixel = bytes(colour)
    edges = list(zip(polygon, polygon[1:] + polygon[:1], strict=True))
    top = max(0, math.floor(min(y for _, y in polygon)))
    bottom = min(HEIGHT - 1, math.ceil(max(y for _, y in polygon)))
    for row in range(top, bottom + 1):
        y = row + 0.5
        crossings = sorted(
            x0 + (y - y0) * (x1 - x0) / (y1 - y0) for (x0, y0), (x1, y1) in edges if (y0 <= y < y1) or (y1 <= y < y0)
        )
        for start, end in zip(crossings[::2], crossings[1::2], strict=False):
            left, right = max(0, round(start)), min(WIDTH, round(end))
            if right > left:
                rows[row][left * 3 : right * 3] = pixel * (right - left)


def _circle(cx: float, cy: float, r: float, steps: int = 72) -> list[tuple[float, float]]:
    return [
        (cx + r * math.cos(2 * math.pi * i / steps), cy + r * math.sin(2 * math.pi * i / steps)) for i in range(steps)
    ]


def _png(rows: list[bytearray]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def card_png(*, length_m: float | None, span_m: float | None, rotorcraft: bool) -> bytes:
    """The card: the silhouette, nose right, centred above a band in the site's accent colour."""
    rows = [bytearray(bytes(BACKGROUND) * WIDTH) for _ in range(HEIGHT)]
    band_top = HEIGHT - 36
    for row in rows[band_top:]:
        row[:] = bytes(BAND) * WIDTH
    ratio = span_m / length_m if length_m and span_m else (0.9 if rotorcraft else 0.8)
    ratio = min(max(ratio, 0.3), 3.0)
    if rotorcraft:
        shapes, (cx, cy, r) = _rotorcraft(ratio)
        extent_x, extent_y = max(1.0, cx + r) - min(0.0, cx - r), max(r, 0.1) * 2
    else:
        shapes, cx, r = _fixed_wing(ratio), None, 0.0
        extent_x, extent_y = 1.0, ratio
    # Fit the drawing in the area above the band with a margin, keeping proportions.
    area_w, area_h = WIDTH - 160, band_top - 100
    scale = min(area_w / extent_x, area_h / extent_y)
    left = (WIDTH - extent_x * scale) / 2 - (min(0.0, cx - r) * scale if rotorcraft else 0)
    middle = 50 + area_h / 2

    def place(polygon: Polygon) -> Polygon:
        return [(left + x * scale, middle + y * scale) for x, y in polygon]

    if rotorcraft:
        _fill(rows, place(_circle(cx, cy, r)), ROTOR)
        _fill(rows, place(_circle(cx, cy, r * 0.96)), BACKGROUND)
        _fill(rows, place([(cx - r, -0.012), (cx + r, -0.012), (cx + r, 0.012), (cx - r, 0.012)]), ROTOR)
    for polygon in shapes:
        _fill(rows, place(polygon), SHAPE)
    return _png(rows)
