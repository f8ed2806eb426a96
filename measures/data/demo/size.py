"""How much demo data, in what proportions: the parameters a run is made with
(DemoSize, recorded on the marker partner), what a run did (DemoReport), and the
arithmetic that spreads measures and indicators over the plans."""

import datetime
import random
import re
from dataclasses import dataclass, field

# Format of the parameter record; bump it when the generator's output changes so that
# an old data set is replaced rather than reused.
# 2: municipalities as tenants (partners.Municipality), plan sizes skewed.
FORMAT = 2
# Generated updates are dated up to this day, not today, so that the data do not
# depend on when they were made.
DEMO_TODAY = datetime.date(2025, 6, 30)

# The demo municipalities' kommunenummer: 9101, 9102, ... No real kommune has a
# number above 56xx, and the test factories' municipalities count from 9000
# (tests/factories.py); 356, as many as Norway has (2024), fit.
FIRST_NUMBER = 9101
MAX_MUNICIPALITIES = 356
COUNTY = "Demofylke"
UNITS_PER_MUNICIPALITY = 4
DISTRICTS_PER_MUNICIPALITY = 4
MUNICIPALITIES_PER_POLICE_DISTRICT = 4
MUNICIPALITIES_PER_HEALTH_TRUST = 12
USER_ORGANISATIONS = 5
MAIN_GOALS = 4
SUB_GOALS = 2
MEASURES_PER_PLAN = 400
# The first plan's size (fewer when the plans are small on average); the PDF report
# is timed on a plan of about this size.
SMALLEST_PLAN = 60
# The largest plan's size when many small plans leave room for a few large ones,
# as a city's plan next to a village's.
LARGEST_PLAN = 740


@dataclass(frozen=True)
class DemoSize:
    measures: int
    updates_per_measure: int
    # 0: one plan per municipality if municipalities is given, else one per
    # MEASURES_PER_PLAN measures
    plans: int = 0
    indicators: int = 0
    values_per_indicator: int = 0
    seed: int = 1
    municipalities: int = 0  # 0: one per plan; at most MAX_MUNICIPALITIES

    def __post_init__(self):
        if self.plans <= 0:
            plans = self.municipalities
            if plans <= 0:
                plans = max(1, -(-self.measures // MEASURES_PER_PLAN))
            object.__setattr__(self, "plans", plans)
        if self.municipalities <= 0:
            object.__setattr__(
                self, "municipalities", min(self.plans, MAX_MUNICIPALITIES)
            )
        for name in ("measures", "updates_per_measure", "indicators"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.values_per_indicator < 0:
            raise ValueError("values_per_indicator must not be negative")
        if self.municipalities > MAX_MUNICIPALITIES:
            raise ValueError(
                f"at most {MAX_MUNICIPALITIES} municipalities (numbers "
                f"{FIRST_NUMBER}-{FIRST_NUMBER + MAX_MUNICIPALITIES - 1})"
            )
        if self.municipalities > self.plans:
            raise ValueError("every municipality needs a plan: plans < municipalities")

    def municipality_of_plan(self, index: int) -> int:
        """The index of the municipality owning the plan with this index: the
        plans go round the municipalities, so each has one before any has two."""
        return index % self.municipalities

    def record(self) -> str:
        return (
            f"measures={self.measures} updates-per-measure={self.updates_per_measure} "
            f"plans={self.plans} municipalities={self.municipalities} "
            f"indicators={self.indicators} "
            f"values-per-indicator={self.values_per_indicator} seed={self.seed} "
            f"format={FORMAT}"
        )

    @classmethod
    def from_record(cls, text: str) -> "DemoSize | None":
        found = dict(re.findall(r"([a-z-]+)=(\d+)", text))
        try:
            if int(found["format"]) != FORMAT:
                return None
            return cls(
                measures=int(found["measures"]),
                updates_per_measure=int(found["updates-per-measure"]),
                plans=int(found["plans"]),
                municipalities=int(found["municipalities"]),
                indicators=int(found["indicators"]),
                values_per_indicator=int(found["values-per-indicator"]),
                seed=int(found["seed"]),
            )
        except (KeyError, ValueError):
            return None


@dataclass
class DemoReport:
    size: DemoSize
    created: bool
    deleted: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def weighted(rng: random.Random, choices):
    """One of `choices`, (choice, weight) pairs, drawn by weight."""
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def measures_per_plan(size: DemoSize) -> list[int]:
    """Plan sizes rising from the first plan to the last, as real plans differ, and
    adding up to size.measures. The first has SMALLEST_PLAN measures (half the
    average if that is less). When the average leaves room, the sizes rise evenly
    (national scale of 50 plans: 60, 74, ... 740); when the plans are small on
    average (many municipalities), most stay small and the last few rise steeply to
    LARGEST_PLAN, as a few cities' plans next to many villages' (356 plans, 20,000
    measures: half of them 28, the largest 740)."""
    n = size.plans
    if n == 1:
        return [size.measures]
    average = size.measures / n
    low = min(SMALLEST_PLAN, size.measures // (2 * n))
    even_high = 2 * average - low
    # The largest plan may not take more than half of what the others leave.
    high = max(even_high, min(LARGEST_PLAN, (size.measures - low * (n - 1)) / 2))
    positions = [i / (n - 1) for i in range(n)]

    def total(power: float) -> float:
        return sum(low + (high - low) * t**power for t in positions)

    power = 1.0
    if high > even_high:
        # The steepness that makes the sizes add up: total() falls as power rises.
        lower, upper = 1.0, 1.0
        while total(upper) > size.measures:
            lower, upper = upper, upper * 2
        for _ in range(60):
            power = (lower + upper) / 2
            if total(power) > size.measures:
                lower = power
            else:
                upper = power
        power = upper
    sizes = [round(low + (high - low) * t**power) for t in positions]
    sizes[-1] += size.measures - sum(sizes)
    return sizes


def shares(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, adding up exactly."""
    weight_sum = sum(weights) or 1
    parts = [total * w // weight_sum for w in weights]
    for i in range(total - sum(parts)):
        parts[i % len(parts)] += 1
    return parts
