# A plan's measures indexed by plan and id (docs/decisions.md, decision 64): the
# plan page's budget merges the plan's measures with the budget lines in measure
# order. The index replaces the foreign key's own index on plan, whose lookups it
# serves as well.
#
# Only that index is dropped in the database, as in 0018: Django's AlterField for
# db_index=False would also drop the foreign key and add it back, checking every
# measure again and keeping every reader waiting until the migration commits
# (docs/deploy.md, "Upgrading").

import django.db.models.deletion
from django.db import migrations, models

# The name Django gave the foreign key's index (the same on every database).
PLAN_INDEX = "measures_measure_plan_id_cbe68520"


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0018_measurepartner_partner_role_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="measure",
            index=models.Index(
                fields=["plan", "id"], name="measure_plan_in_id_order"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="measure",
                    name="plan",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measures",
                        to="measures.plan",
                        verbose_name="plan",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {PLAN_INDEX}",
                    reverse_sql=f"CREATE INDEX {PLAN_INDEX} ON measures_measure (plan_id)",
                ),
            ],
        ),
    ]
