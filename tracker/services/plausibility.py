"""Which values of an indicator are plausible: a typing slip (a decimal comma read as a
thousands separator, a unit's factor) lands ten times or more away from what the indicator
says to expect, and is caught before it is stored unless the person confirms it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from tracker.vocabulary import number

# A value more than this many times away from both the baseline and the target is unusual.
FACTOR = 10
PERCENT_UNITS = {"%", "percent", "per cent", "prozent"}


@dataclass(frozen=True)
class Plausible:
    """The range of values an indicator makes plausible; None for no bound that side."""

    low: float | None
    high: float | None
    unit: str
    why: str  # what the range comes from, as a sentence's end

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def sentence(self, value: float) -> str:
        """Why `value` is refused, naming the plausible range, in the request's language."""
        unit = f"\u00a0{self.unit}" if self.unit else ""
        if self.high is None:
            span = _("%(low)s%(unit)s or more", low=number(self.low or 0, 6), unit=unit)
        else:
            span = _(
                "from %(low)s to %(high)s%(unit)s",
                low=number(self.low or 0, 6),
                high=number(self.high, 6),
                unit=unit,
            )
        return _(
            "%(value)s%(unit)s is unusual for this indicator: values %(span)s are plausible "
            "(%(why)s). Check the value; if it is right, tick \u201cThis value is correct\u201d.",
            value=number(value, 6),
            unit=unit,
            span=span,
            why=self.why,
        )


def plausible(unit: str, baseline: float | None, target: float | None) -> Plausible:
    """A percent lies from 0 to 100; otherwise a value lies within a tenth of the smaller and
    ten times the larger of the baseline and target; and a value cannot be negative where
    neither of them is."""
    unit = (unit or "").strip()
    if unit.lower() in PERCENT_UNITS:
        return Plausible(0, 100, unit, _("a percentage"))
    references = [abs(v) for v in (baseline, target) if v is not None and v != 0]
    may_be_negative = any(v is not None and v < 0 for v in (baseline, target))
    if references and not may_be_negative:
        return Plausible(
            min(references) / FACTOR,
            max(references) * FACTOR,
            unit,
            _("at most ten times away from the baseline or the target"),
        )
    if may_be_negative:
        high = max(references) * FACTOR
        return Plausible(-high, high, unit, _("at most ten times the baseline or the target"))
    return Plausible(0, None, unit, _("a count or an amount, which is not negative"))


def unusual(unit: str, baseline: float | None, target: float | None, value: float) -> str | None:
    """The sentence refusing `value`, or None when it is plausible. Zero is always plausible
    (nothing measured yet is a real measurement)."""
    if value == 0:
        return None
    expected = plausible(unit, baseline, target)
    return None if expected.holds(value) else expected.sentence(value)
