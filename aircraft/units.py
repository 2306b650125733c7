"""The two unit systems a visitor can choose; conversions live in quantities."""

from .quantities import IMPERIAL, METRIC, SYSTEMS

__all__ = ["IMPERIAL", "METRIC", "SYSTEMS"]
