"""Remove the free-text source fields; sources are citations now.

0007 turned every http(s) link in these fields into a Source cited by its fact.
Text without a link (a source note such as «BT 01.07.2014», an indicator value's
source name) is not kept: the shipped data cites its sources through citations
(docs/data-model.md, "Sources").
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0007_sources_from_source_fields'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='budgetline',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='budgetline',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='goal',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='goal',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalbudgetline',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='historicalbudgetline',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalgoal',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='historicalgoal',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalindicator',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='historicalindicator',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalindicatorvalue',
            name='source_name',
        ),
        migrations.RemoveField(
            model_name='historicalindicatorvalue',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalmeasure',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='historicalmeasure',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalplan',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='historicalplan',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='historicalstatusupdate',
            name='evidence_url',
        ),
        migrations.RemoveField(
            model_name='historicalstatusupdate',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='indicator',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='indicator',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='indicatorvalue',
            name='source_name',
        ),
        migrations.RemoveField(
            model_name='indicatorvalue',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='measure',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='measure',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='plan',
            name='source_note',
        ),
        migrations.RemoveField(
            model_name='plan',
            name='source_url',
        ),
        migrations.RemoveField(
            model_name='statusupdate',
            name='evidence_url',
        ),
        migrations.RemoveField(
            model_name='statusupdate',
            name='source_note',
        ),
    ]
