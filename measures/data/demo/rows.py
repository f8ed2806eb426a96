"""Which rows are demo data (a ``demo-`` slug, demo owners, demo municipalities
numbered from 9101; the marker partner that records the parameters) and how they
are written: in bulk, in large batches."""

from django.apps import apps

from measures.data.demo.size import FIRST_NUMBER, MAX_MUNICIPALITIES, DemoSize
from measures.models import District, Measure, Plan
from partners.models import Municipality, Partner

PREFIX = "demo-"
MARKER_SLUG = "demo-data"
BATCH_SIZE = 5000
DESCRIPTION = (
    "Fiktive data laget av manage.py generate_demo_data for ytelsestester. "
    "Ingenting her er ekte."
)


def demo_number(index: int) -> str:
    """The kommunenummer of the demo municipality with this index (0, 1, ...)."""
    return f"{FIRST_NUMBER + index:04d}"


NUMBERS = (demo_number(0), demo_number(MAX_MUNICIPALITIES - 1))


def demo_municipalities():
    """A ``demo-`` slug and a number in the demo range: both, so that neither a
    real municipality nor a test's is ever taken for demo data."""
    return Municipality.objects.filter(slug__startswith=PREFIX, number__range=NUMBERS)


def demo_partners():
    return Partner.objects.filter(slug__startswith=PREFIX)


def demo_plans():
    return Plan.objects.filter(
        slug__startswith=PREFIX,
        owner__slug__startswith=PREFIX,
        municipality__in=demo_municipalities(),
    )


def demo_measures():
    return Measure.objects.filter(plan__in=demo_plans())


def demo_districts():
    return District.objects.filter(
        slug__startswith=PREFIX, municipality__in=demo_municipalities()
    )


def demo_data_existing_size() -> DemoSize | None:
    """The parameters the demo data in the database were made with, if any."""
    marker = Partner.objects.filter(slug=MARKER_SLUG).first()
    return DemoSize.from_record(marker.description) if marker else None


def indicator_models():
    """(Indicator, IndicatorValue), or None before those models exist."""
    try:
        return (
            apps.get_model("measures", "Indicator"),
            apps.get_model("measures", "IndicatorValue"),
        )
    except LookupError:
        return None


def bulk(model, objects: list, batch_size: int = BATCH_SIZE) -> list:
    return model.objects.bulk_create(objects, batch_size=batch_size)
