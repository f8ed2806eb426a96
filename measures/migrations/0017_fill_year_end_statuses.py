"""Fills each measure's year-end statuses (added by 0016) from its published
updates. Apart from 0016 so that the table is not locked while it fills: on
PostgreSQL a migration runs in one transaction, and adding the column takes a lock
that every read of the measures waits for."""

from django.db import migrations

BATCH = 2000


def year_end_text(updates):
    """As measures/year_ends.py's year_end_statuses() and format_year_ends() when
    this migration was written (a migration keeps its own copy: the module may
    change later). `updates`: (as_of, phase, health, progress) in the order the
    update in force is chosen."""
    items, in_force, index = [], None, 0
    for year in range(updates[0][0].year, updates[-1][0].year):
        while index < len(updates) and updates[index][0].year <= year:
            in_force = updates[index]
            index += 1
        as_of, phase, health, progress = in_force
        progress = "" if progress is None else progress
        items.append(f"{year}:{phase}|{health}|{progress}|{as_of.isoformat()}")
    return ";".join(items)


def fill_year_end_statuses(apps, schema_editor):
    """Every measure's year-end statuses from its published updates, read once in
    order (a million updates at national scale: a few seconds)."""
    Measure = apps.get_model("measures", "Measure")
    StatusUpdate = apps.get_model("measures", "StatusUpdate")
    rows = (
        StatusUpdate.objects.filter(state="published")
        .order_by("measure_id", "as_of", "published_at", "id")
        .values_list("measure_id", "as_of", "phase", "health", "progress")
        .iterator(chunk_size=BATCH * 10)
    )
    changed, current, updates = [], None, []

    def flush():
        text = year_end_text(updates) if updates else ""
        if text:
            changed.append(Measure(pk=current, year_end_statuses=text))
        if len(changed) >= BATCH:
            Measure.objects.bulk_update(changed, ["year_end_statuses"])
            changed.clear()

    for measure_id, *update in rows:
        if measure_id != current:
            flush()
            current, updates = measure_id, []
        updates.append(update)
    flush()
    Measure.objects.bulk_update(changed, ["year_end_statuses"])


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0016_measure_year_end_statuses'),
    ]

    operations = [
        migrations.RunPython(fill_year_end_statuses, migrations.RunPython.noop),
    ]
