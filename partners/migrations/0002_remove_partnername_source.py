"""Remove PartnerName.source, a free-text note without a link.

Its text is not kept (0007 in measures moved only links); a former name cites its
sources through measures' citations (Citation.partner_name). Independent of the
measures migrations on purpose.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalpartnername',
            name='source',
        ),
        migrations.RemoveField(
            model_name='partnername',
            name='source',
        ),
    ]
