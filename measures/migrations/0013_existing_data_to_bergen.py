"""Everything recorded before municipalities existed was Bergen's: the one
installation served Bergen kommune (design.md). Give it to Bergen (4601), the
municipality the old addresses (/planer/..., /tiltak/...) now redirect to
(docs/municipalities.md). A database with no plans, districts or partners gets no
municipality from this migration."""

from django.db import migrations

BERGEN = {"name": "Bergen", "number": "4601", "county": "Vestland", "slug": "bergen"}
MUNICIPAL_KINDS = ("municipality", "municipal_unit")


def forwards(apps, schema_editor):
    Municipality = apps.get_model("partners", "Municipality")
    Partner = apps.get_model("partners", "Partner")
    Plan = apps.get_model("measures", "Plan")
    Measure = apps.get_model("measures", "Measure")
    District = apps.get_model("measures", "District")
    if not (Plan.objects.exists() or District.objects.exists() or Partner.objects.exists()):
        return
    bergen, _created = Municipality.objects.get_or_create(
        number=BERGEN["number"], defaults=BERGEN
    )
    Plan.objects.update(municipality=bergen)
    Measure.objects.update(municipality=bergen)
    District.objects.update(municipality=bergen)
    Partner.objects.filter(kind__in=MUNICIPAL_KINDS).update(municipality=bergen)
    for partner in Partner.objects.exclude(kind__in=MUNICIPAL_KINDS):
        partner.serves.add(bergen)
    for name in ("HistoricalPlan", "HistoricalMeasure", "HistoricalDistrict"):
        apps.get_model("measures", name).objects.update(municipality=bergen)
    apps.get_model("partners", "HistoricalPartner").objects.filter(
        kind__in=MUNICIPAL_KINDS
    ).update(municipality=bergen)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0012_municipality_fields"),
        ("partners", "0004_municipality"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
