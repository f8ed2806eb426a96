"""Data: measures without a published update get no phase, and the free-text source
fields become Source records with citations.

- A measure whose current_update is empty had the default phase "not started",
  which no one reported: it becomes blank ("Ingen status registrert").
- Every http(s) link in a source field becomes one Source (the same URL is the same
  source) cited by the fact that held it. The publisher is the link's host, the
  title the source text when there is one; the kind is guessed from the host and
  can be corrected in the admin. Text without a link stays where it is.
"""

from urllib.parse import urlsplit

from django.db import migrations

# (model, citation field, url field, text field)
SOURCE_FIELDS = [
    ("Plan", "plan", "source_url", "source_note"),
    ("Goal", "goal", "source_url", "source_note"),
    ("Measure", "measure", "source_url", "source_note"),
    ("Indicator", "indicator", "source_url", "source_note"),
    ("StatusUpdate", "status_update", "evidence_url", "source_note"),
    ("IndicatorValue", "indicator_value", "source_url", "source_name"),
    ("BudgetLine", "budget_line", "source_url", "source_note"),
]

STATISTICS_HOSTS = ("fhi.no", "ssb.no")
GOVERNMENT_HOSTS = ("regjeringen.no", "helsedirektoratet.no", "politiet.no")
NEWS_HOSTS = ("bt.no", "ba.no", "nrk.no", "vg.no", "aftenposten.no", "dagsavisen.no")


def guess_kind(host: str) -> str:
    def under(domains):
        return any(host == d or host.endswith("." + d) for d in domains)

    if host.endswith("kommune.no"):
        return "municipal_page"
    if under(STATISTICS_HOSTS):
        return "statistics"
    if under(GOVERNMENT_HOSTS):
        return "government"
    if under(NEWS_HOSTS):
        return "news"
    return "organisation"


def forwards(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    Measure.objects.filter(current_update__isnull=True).update(current_phase="")

    Source = apps.get_model("measures", "Source")
    Citation = apps.get_model("measures", "Citation")
    sources = {}
    for model_name, target, url_field, text_field in SOURCE_FIELDS:
        model = apps.get_model("measures", model_name)
        rows = model.objects.exclude(**{url_field: ""}).values_list(
            "id", url_field, text_field
        )
        for pk, url, text in rows.iterator():
            url = url.strip()
            if not url.startswith(("http://", "https://")):
                continue
            source = sources.get(url)
            if source is None:
                host = (urlsplit(url).hostname or "").removeprefix("www.")
                source = Source.objects.filter(url=url).first() or Source.objects.create(
                    url=url,
                    publisher=host or url,
                    title=(text or "").strip()[:500] or url,
                    kind=guess_kind(host),
                )
                sources[url] = source
            Citation.objects.get_or_create(source=source, field="", **{target: pk})


class Migration(migrations.Migration):
    dependencies = [("measures", "0006_sources_citations_no_status")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
