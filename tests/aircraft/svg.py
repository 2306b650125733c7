"""Reading back the SVG the drawing and chart code writes: parts, extents, text.

Pure helpers for the tests; they measure what a browser would draw from the
markup, independently of the code that wrote it.
"""

import re
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output, in a test)
    assert root.tag == f"{NS}svg"
    return root


def svgs(html: str) -> list:
    """Every inline <svg> of a page, parsed."""
    found, start = [], 0
    while (start := html.find("<svg", start)) != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(parse(html[start:end]))
        start = end
    return found


def local(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def box(element: ET.Element) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of one path (absolute M/L/H/V commands), ellipse, circle, rect or line."""
    tag = local(element)
    a = element.attrib
    if tag == "ellipse":
        cx, cy, rx, ry = (float(a[k]) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    if tag == "circle":
        cx, cy, r = (float(a[k]) for k in ("cx", "cy", "r"))
        return cx - r, cy - r, cx + r, cy + r
    if tag == "rect":
        x, y, w, h = (float(a[k]) for k in ("x", "y", "width", "height"))
        return x, y, x + w, y + h
    if tag == "line":
        xs, ys = (float(a["x1"]), float(a["x2"])), (float(a["y1"]), float(a["y2"]))
        return min(xs), min(ys), max(xs), max(ys)
    assert tag == "path", tag
    xs, ys = [], []
    x = y = 0.0
    for command, args in re.findall(r"([MLHVZ])([^MLHVZ]*)", a["d"]):
        numbers = [float(n) for n in NUMBER.findall(args)]
        if command in "ML":
            for i in range(0, len(numbers), 2):
                x, y = numbers[i], numbers[i + 1]
                xs.append(x)
                ys.append(y)
        elif command == "H":
            for x in numbers:
                xs.append(x)
                ys.append(y)
        elif command == "V":
            for y in numbers:
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def union(boxes) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    assert boxes, "nothing drawn"
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def parts(root: ET.Element, view: str | None = None, names: set[str] | None = None) -> list[ET.Element]:
    """Elements marked data-part (optionally only in one data-view group, only some parts)."""
    scopes = [g for g in root.iter(f"{NS}g") if g.get("data-view") == view] if view else [root]
    found = []
    for scope in scopes:
        for element in scope.iter():
            part = element.get("data-part")
            if part and local(element) != "g" and (names is None or part in names):
                found.append(element)
    return found


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = "#ffffff") -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
