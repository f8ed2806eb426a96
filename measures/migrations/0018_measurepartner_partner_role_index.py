# A partner's roles indexed by partner, role and measure (docs/decisions.md,
# decision 62): the budget of the measures a partner leads merges its lead roles
# with the budget lines in measure order. The index replaces the foreign key's own
# index on partner, whose work it does.
#
# Only that index is dropped in the database. Django's AlterField for db_index=False
# would also drop the foreign key and add it back, checking every role again and
# keeping every reader of the roles and partners waiting until the migration
# commits (docs/deploy.md, "Upgrading").

import django.db.models.deletion
from django.db import migrations, models

# The name Django gave the foreign key's index (the same on every database).
PARTNER_INDEX = "measures_measurepartner_partner_id_85501ab8"


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0017_fill_year_end_statuses"),
        ("partners", "0006_municipality_administrator_protect"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="measurepartner",
            index=models.Index(
                fields=["partner", "role", "measure"],
                name="measurepartner_partner_role",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="measurepartner",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measure_roles",
                        to="partners.partner",
                        verbose_name="partner",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {PARTNER_INDEX}",
                    reverse_sql=(
                        f"CREATE INDEX {PARTNER_INDEX} "
                        "ON measures_measurepartner (partner_id)"
                    ),
                ),
            ],
        ),
    ]
