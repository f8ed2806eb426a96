"""How much demo data, in what proportions: the parameters a run is made with
(DemoSize, recorded on the marker partner), what a run did (DemoReport), and the
arithmetic that spreads measures and indicators over the plans."""

import datetime
import random
import re
from dataclasses import dataclass, field

# Format of the parameter record; bump it when the generator's output changes so that
# an old data set is replaced rather than reused.
FORMAT = 1
# Generated updates are dated up to this day, not today, so that the data do not
# depend on when they were made.
DEMO_TODAY = datetime.date(2025, 6, 30)

UNITS_PER_MUNICIPALITY = 4
DISTRICTS_PER_MUNICIPALITY = 4
MUNICIPALITIES_PER_POLICE_DISTRICT = 4
MUNICIPALITIES_PER_HEALTH_TRUST = 12
USER_ORGANISATIONS = 5
MAIN_GOALS = 4
SUB_GOALS = 2
MEASURES_PER_PLAN = 400
# The first plan's size: the PDF report is timed on a plan of this size.
SMALLEST_PLAN = 60


@dataclass(frozen=True)
class DemoSize:
    measures: int
    updates_per_measure: int
    plans: int = 0  # 0: one plan per MEASURES_PER_PLAN measures
    indicators: int = 0
    values_per_indicator: int = 0
    seed: int = 1

    def __post_init__(self):
        if self.plans <= 0:
            object.__setattr__(
                self, "plans", max(1, -(-self.measures // MEASURES_PER_PLAN))
            )
        for name in ("measures", "updates_per_measure", "indicators"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.values_per_indicator < 0:
            raise ValueError("values_per_indicator must not be negative")

    def record(self) -> str:
        return (
            f"measures={self.measures} updates-per-measure={self.updates_per_measure} "
            f"plans={self.plans} indicators={self.indicators} "
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
    """Plan sizes rising evenly from the first plan to the last, as real plans
    differ: the first has SMALLEST_PLAN measures (fewer if the average is lower),
    the average is measures / plans. National scale: 60, 74, ... 740."""
    n = size.plans
    if n == 1:
        return [size.measures]
    low = min(SMALLEST_PLAN, size.measures // n)
    high = 2 * size.measures / n - low
    sizes = [round(low + (high - low) * i / (n - 1)) for i in range(n)]
    sizes[-1] += size.measures - sum(sizes)
    return sizes


def shares(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, adding up exactly."""
    weight_sum = sum(weights) or 1
    parts = [total * w // weight_sum for w in weights]
    for i in range(total - sum(parts)):
        parts[i % len(parts)] += 1
    return parts
