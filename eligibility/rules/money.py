"""Money helpers: the one rounding rule of the engine.

Every amount the engine shows is whole kronor. Rounding happens once per explanation line,
with :func:`round_kronor`, so the sum of the lines is exactly the amount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["ONE", "ZERO", "format_kronor", "quantize", "round_kronor", "to_decimal"]

ZERO = Decimal(0)
ONE = Decimal(1)

# A private context so the caller's thread-local decimal context (precision, traps) cannot
# change how the engine rounds.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)

# ``quantize(value, ONE)`` is ``round_kronor(value)`` without a Python call: the context's own
# bound method (the context carries the rounding), for the engine's hot path.
quantize = _CONTEXT.quantize


def round_kronor(value: Decimal) -> Decimal:
    """Round to whole kronor, half away from zero (ROUND_HALF_UP): 2.5 -> 3, -2.5 -> -3."""
    # Positional arguments: this is the hottest call in the engine (keywords cost ~3x).
    return value.quantize(ONE, ROUND_HALF_UP, _CONTEXT)


def to_decimal(value: object) -> Decimal:
    """Convert an int, float or string to Decimal via ``str`` (so 0.1 stays 0.1).

    Raises ``ValueError`` for anything that is not a finite number (bools included).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"not a number: {value!r}")
    try:
        result = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def format_kronor(value: Decimal) -> str:
    """Swedish grouping for labels: Decimal('12345') -> '12 345', fractions kept ('4 933,33')."""
    if value == value.to_integral_value():
        # Decimal's own formatting: twice as fast as through int(); "-0" is shown as "0".
        text = f"{value:,.0f}"
        return "0" if text == "-0" else text.replace(",", " ")
    text = f"{value:,.2f}"
    return text.replace(",", " ").replace(".", ",")
