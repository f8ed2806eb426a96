"""The open-data exports: CSV and XLSX of measures and status updates."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from measures.columns import (
    INDICATOR_VALUE_COLUMNS,
    MEASURE_COLUMNS,
    UPDATE_COLUMNS,
    csv_cell,
)
from measures.models import (
    Citation,
    IndicatorValue,
    MeasurePartner,
    Plan,
    Source,
    StatusUpdate,
)
from measures.reporting import exports
from measures.reporting.exports import CSV_FLUSH_BYTES
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Ikke publisert ennå"
FORMULAS = ['=HYPERLINK("http://x")', "+47 55 00 00 00", "-2+3", "@SUM(A1)"]


@pytest.fixture
def plan():
    owner = PartnerFactory(name="Bergen kommune", slug="bergen-kommune")
    return PlanFactory(title="Plan for rusfeltet", slug="rusplan-2018", owner=owner)


@pytest.fixture
def measure(plan):
    police = PartnerFactory(name="Vest politidistrikt", slug="vest-politidistrikt")
    unit = PartnerFactory(name="Etat for rustjenester", slug="etat-for-rustjenester")
    measure = MeasureFactory(
        plan=plan,
        identifier="3.1",
        title="Trygge byrom på Nygårdshøyden",
        slug="trygge-byrom",
        description="Økt tilstedeværelse i Årstad; «samarbeid» med bydelen.",
        lead=unit,
        planned_start=datetime.date(2018, 3, 1),
        weight=2,
    )
    MeasurePartner.objects.create(measure=measure, partner=police, role="contributor")
    measure.goals.add(GoalFactory(plan=plan, slug="trygg-by"))
    measure.districts.add(DistrictFactory(name="Årstad", slug="arstad"))
    PublishedStatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2020, 4, 30),
        progress=40,
        summary="Flere patruljer; «mindre» uro i Nygårdsparken.\nNy linje.",
        uncertainty="Kildene oppgir april og mai.",
    )
    Citation.objects.create(
        source=Source.objects.create(
            publisher="Bergens Tidende",
            title="Flere patruljer",
            url="https://www.bt.no/nyheter/lokalt/i/x/patruljer",
            kind=Source.Kind.NEWS,
        ),
        status_update=StatusUpdate.objects.get(state="published"),
    )
    StatusUpdateFactory(measure=measure, summary=SECRET)
    StatusUpdateFactory(measure=measure, summary=SECRET, state="submitted")
    StatusUpdateFactory(
        measure=measure, summary=SECRET, state="returned", review_comment="Nei."
    )
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    return measure


def url(name: str, plan=None, kommune: str = "bergen") -> str:
    """A plan's export, or without a plan the municipality's (the factories'
    plans are Bergen's)."""
    kwargs = plan.url_kwargs() if plan is not None else {"kommune": kommune}
    return reverse(f"measures:{name}", kwargs=kwargs)


def read_csv(response) -> tuple[bytes, list[dict]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    text = body.decode("utf-8-sig")
    return body, list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(response):
    assert isinstance(response, FileResponse)
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


# --- CSV ---------------------------------------------------------------------------


def test_measures_csv_starts_with_bom_and_opens_with_the_csv_module(client, measure):
    response = client.get(url("plan-export-csv", measure.plan))

    body, rows = read_csv(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")
    assert list(rows[0]) == [c.key for c in MEASURE_COLUMNS]
    (row,) = rows
    assert row["plan"] == "rusplan-2018"
    assert row["slug"] == "trygge-byrom"
    assert row["title"] == "Trygge byrom på Nygårdshøyden"
    assert (
        row["description"] == "Økt tilstedeværelse i Årstad; «samarbeid» med bydelen."
    )
    assert row["lead"] == "etat-for-rustjenester"
    assert row["contributors"] == "vest-politidistrikt"
    assert row["goals"] == "trygg-by"
    assert row["districts"] == "arstad"
    assert row["planned_start"] == "2018-03-01"
    assert row["weight"] == "2"
    assert (row["phase"], row["phase_label"]) == ("in_progress", "Pågår")
    assert row["progress"] == "40"
    assert row["status_as_of"] == "2020-04-30"
    assert row["url"] == "http://testserver/bergen/tiltak/trygge-byrom/"
    assert row["licence"] == "NLOD 2.0"


def test_updates_csv_keeps_aeoeaa_newlines_and_semicolons(client, measure):
    response = client.get(url("plan-export-updates-csv", measure.plan))

    _body, rows = read_csv(response)
    (row,) = rows
    assert list(row) == [c.key for c in UPDATE_COLUMNS]
    update = StatusUpdate.objects.get(state="published")
    assert row["id"] == str(update.pk)
    assert row["measure"] == "trygge-byrom"
    assert row["as_of"] == "2020-04-30"
    assert row["summary"] == "Flere patruljer; «mindre» uro i Nygårdsparken.\nNy linje."
    assert row["source_urls"] == "https://www.bt.no/nyheter/lokalt/i/x/patruljer"
    assert row["uncertainty"] == "Kildene oppgir april og mai."
    published = datetime.datetime.fromisoformat(row["published_at"])
    assert published == update.published_at.replace(microsecond=0)
    assert published.utcoffset() in (
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=2),
    )
    assert row["url"] == "http://testserver/bergen/tiltak/trygge-byrom/#historikk"


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(
    client, plan
):
    for i, text in enumerate(FORMULAS):
        measure = MeasureFactory(plan=plan, identifier=str(i), title=text)
        PublishedStatusUpdateFactory(measure=measure, summary=text, progress=i)

    _body, measures = read_csv(client.get(url("plan-export-csv", plan)))
    _body, updates = read_csv(client.get(url("plan-export-updates-csv", plan)))

    assert sorted(row["title"] for row in measures) == sorted(
        "'" + text for text in FORMULAS
    )
    assert sorted(row["summary"] for row in updates) == sorted(
        "'" + text for text in FORMULAS
    )
    # Numbers are numbers, not text: no apostrophe.
    assert sorted(row["progress"] for row in updates) == ["0", "1", "2", "3"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (-3, "-3"),
        (12, "12"),
        (Decimal("12.50"), "12,5"),
        (Decimal("100.00"), "100"),
        (Decimal("-0.25"), "-0,25"),
        (datetime.date(2020, 12, 31), "2020-12-31"),
        ("-rm", "'-rm"),
        ("\tx", "'\tx"),
        ("vanlig tekst", "vanlig tekst"),
    ],
)
def test_csv_cell_formats_values_for_norwegian_spreadsheets(value, expected):
    assert csv_cell(value) == expected


def test_exports_hold_only_published_data(client, measure):
    draft_plan = PlanFactory(slug="utkast", status=Plan.Status.DRAFT)
    hidden = MeasureFactory(plan=draft_plan, title="Utkasttiltak", slug="utkasttiltak")
    PublishedStatusUpdateFactory(measure=hidden, summary="Utkastplanens status")
    measure.continues = hidden  # a lineage into a draft plan must not leak it
    measure.save()

    for name in ("plan-export-csv", "plan-export-updates-csv"):
        body, _rows = read_csv(client.get(url(name, measure.plan)))
        assert SECRET.encode() not in body
        assert b"utkasttiltak" not in body.lower()
        assert b"Utkastplanens" not in body
    for name in ("export-measures-csv", "export-updates-csv"):
        body, rows = read_csv(client.get(url(name)))
        assert SECRET.encode() not in body
        assert b"utkasttiltak" not in body.lower()
        assert b"Utkastplanens" not in body
        assert rows
    for name in ("plan-export-xlsx", "plan-export-updates-xlsx"):
        workbook = read_xlsx(client.get(url(name, measure.plan)))
        cells = [
            str(c) for ws in workbook for r in ws.iter_rows(values_only=True) for c in r
        ]
        assert SECRET not in " ".join(cells)
        assert "utkasttiltak" not in " ".join(cells).lower()
        assert "Utkastplanens" not in " ".join(cells)
    for name in ("plan-export-csv", "plan-export-xlsx", "plan-export-updates-csv"):
        assert client.get(url(name, draft_plan)).status_code == 404


def test_exports_say_their_licence_and_file_name(client, measure):
    for name, filename in (
        ("plan-export-csv", "rusplan-2018-tiltak.csv"),
        ("plan-export-xlsx", "rusplan-2018-tiltak.xlsx"),
        ("plan-export-updates-csv", "rusplan-2018-statusoppdateringer.csv"),
        ("plan-export-updates-xlsx", "rusplan-2018-statusoppdateringer.xlsx"),
    ):
        response = client.get(url(name, measure.plan))
        assert response["Link"] == '<https://data.norge.no/nlod/no/2.0>; rel="license"'
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    # A municipality's export is named by the municipality.
    response = client.get(url("export-updates-csv"))
    assert (
        'filename="bergen-statusoppdateringer.csv"' in (response["Content-Disposition"])
    )


def test_site_export_covers_every_public_plan_of_the_municipality(client, measure):
    other = MeasureFactory(plan=PlanFactory(slug="annen-plan"), slug="annet-tiltak")
    PublishedStatusUpdateFactory(measure=other)

    _body, measures = read_csv(client.get(url("export-measures-csv")))
    _body, updates = read_csv(client.get(url("export-updates-csv")))

    assert {row["slug"] for row in measures} == {"trygge-byrom", "annet-tiltak"}
    assert {row["measure"] for row in updates} == {"trygge-byrom", "annet-tiltak"}


# --- Indicator values ------------------------------------------------------------


@pytest.fixture
def indicator_values(plan, measure):
    goal = GoalFactory(plan=plan, slug="faerre-dodsfall")
    deaths = IndicatorFactory(
        goal=goal, title="Overdosedødsfall i Bergen", slug="overdosedodsfall"
    )
    share = IndicatorFactory(
        goal=None,
        measure=measure,
        slug="andel-fulgt-opp",
        kind="percent",
        unit="prosent",
    )
    PublishedIndicatorValueFactory(indicator=deaths, year=2019, value=31)
    PublishedIndicatorValueFactory(indicator=deaths, year=2020, value=3)
    PublishedIndicatorValueFactory(
        indicator=deaths, year=2021, value=12, qualifier="approx"
    )
    PublishedIndicatorValueFactory(
        indicator=share, year=2020, value=Decimal("18.30"), note="Årsrapport"
    )
    old = PublishedIndicatorValueFactory(
        indicator=deaths, year=2018, value=99, state=IndicatorValue.State.REPLACED
    )
    PublishedIndicatorValueFactory(indicator=deaths, year=2018, value=25, replaces=old)
    IndicatorValueFactory(indicator=deaths, year=2022, value=77, note=SECRET)
    return deaths


def test_indicator_values_csv_hides_small_numbers_even_for_staff(
    client, plan, indicator_values, superuser
):
    client.force_login(superuser)

    _body, rows = read_csv(client.get(url("plan-export-indicators-csv", plan)))

    assert list(rows[0]) == [c.key for c in INDICATOR_VALUE_COLUMNS]
    got = {
        (r["indicator"], r["year"]): (r["value"], r["value_text"], r["suppressed"])
        for r in rows
    }
    assert got == {
        ("overdosedodsfall", "2018"): ("25", "25", "0"),
        ("overdosedodsfall", "2019"): ("31", "31", "0"),
        ("overdosedodsfall", "2020"): ("", "<\xa05", "1"),
        ("overdosedodsfall", "2021"): ("12", "ca. 12", "0"),
        ("andel-fulgt-opp", "2020"): ("18,3", "18,3\xa0%", "0"),
    }
    deaths = next(r for r in rows if r["year"] == "2019")
    assert deaths["goal"] == "faerre-dodsfall"
    assert deaths["measure"] == ""
    assert deaths["url"] == (
        "http://testserver/bergen/planer/rusplan-2018/#indikator-overdosedodsfall"
    )
    share = next(r for r in rows if r["indicator"] == "andel-fulgt-opp")
    assert share["url"] == (
        "http://testserver/bergen/tiltak/trygge-byrom/#indikator-andel-fulgt-opp"
    )
    assert share["note"] == "Årsrapport"


def test_indicator_values_exports_hold_only_published_values_of_public_plans(
    client, plan, indicator_values
):
    draft_plan = PlanFactory(slug="utkast", status=Plan.Status.DRAFT)
    hidden = IndicatorFactory(goal=GoalFactory(plan=draft_plan), slug="skjult")
    PublishedIndicatorValueFactory(indicator=hidden, year=2020, value=1234)

    for response in (
        client.get(url("plan-export-indicators-csv", plan)),
        client.get(url("export-indicators-csv")),
    ):
        body, rows = read_csv(response)
        assert SECRET.encode() not in body
        assert b"skjult" not in body
        assert "99" not in {r["value"] for r in rows}
        assert len(rows) == 5
    workbook = read_xlsx(client.get(url("plan-export-indicators-xlsx", plan)))
    assert workbook.sheetnames == ["indikatorverdier", "Om dataene"]
    values = list(workbook["indikatorverdier"].iter_rows(values_only=True))
    header = values[0]
    suppressed = next(
        dict(zip(header, row, strict=True))
        for row in values[1:]
        if row[header.index("year")] == 2020 and row[header.index("suppressed")]
    )
    assert suppressed["value"] is None
    assert suppressed["value_text"] == "<\xa05"
    assert client.get(url("plan-export-indicators-csv", draft_plan)).status_code == 404


# --- Streaming ---------------------------------------------------------------------


def test_csv_rows_are_read_only_while_the_response_streams(client, measure):
    with CaptureQueriesContext(connection) as before:
        response = client.get(url("plan-export-updates-csv", measure.plan))
    with CaptureQueriesContext(connection) as during:
        first = next(iter(response.streaming_content))

    assert isinstance(response, StreamingHttpResponse)
    assert not any("statusupdate" in q["sql"] for q in before.captured_queries)
    assert any("statusupdate" in q["sql"] for q in during.captured_queries)
    assert first.startswith(b"\xef\xbb\xbf")


def test_csv_goes_out_in_pieces_not_in_one_block(client, plan):
    measure = MeasureFactory(plan=plan)
    summary = "Lang oppsummering med æøå. " * 40
    StatusUpdate.objects.bulk_create(
        StatusUpdate(
            measure=measure,
            as_of=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
            phase="in_progress",
            summary=summary,
            state="published",
            published_at=datetime.datetime(2020, 6, 1, tzinfo=datetime.UTC),
        )
        for i in range(300)
    )

    response = client.get(url("plan-export-updates-csv", plan))
    chunks = list(response.streaming_content)

    assert len(chunks) > 3
    assert all(len(chunk) < 2 * CSV_FLUSH_BYTES for chunk in chunks)
    assert sum(chunk.count(b"\r\n") for chunk in chunks) >= 301


# --- XLSX --------------------------------------------------------------------------


def test_xlsx_has_the_data_sheet_first_and_a_sheet_about_the_data(client, measure):
    response = client.get(url("plan-export-updates-xlsx", measure.plan))
    workbook = read_xlsx(response)

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert workbook.sheetnames == ["statusoppdateringer", "Om dataene"]
    rows = list(workbook["statusoppdateringer"].iter_rows(values_only=True))
    assert list(rows[0]) == [c.key for c in UPDATE_COLUMNS]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["summary"].startswith("Flere patruljer; «mindre» uro i Nygårdsparken.")
    assert row["as_of"] == datetime.datetime(2020, 4, 30)  # a real date cell
    assert row["progress"] == 40
    about = " ".join(
        str(c)
        for r in workbook["Om dataene"].iter_rows(values_only=True)
        for c in r
        if c
    )
    assert "NLOD" in about
    assert "https://data.norge.no/nlod/no/2.0" in about
    assert "Bergen kommune" in about
    for column in UPDATE_COLUMNS:
        assert column.key in about


def test_xlsx_keeps_formula_like_text_as_text(client, plan):
    measure = MeasureFactory(plan=plan, title=FORMULAS[0], identifier="1")
    PublishedStatusUpdateFactory(measure=measure, summary="=1+2\x07")

    workbook = read_xlsx(client.get(url("plan-export-updates-xlsx", plan)))

    sheet = workbook["statusoppdateringer"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert (row["summary"].value, row["summary"].data_type) == ("=1+2", "s")
    assert row["measure_title"].data_type == "s"


def test_xlsx_with_more_rows_than_a_sheet_holds_is_refused(
    client, measure, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)

    response = client.get(url("plan-export-updates-xlsx", measure.plan))

    assert response.status_code == 413
    assert "CSV" in response.content.decode()


# --- The specification ---------------------------------------------------------


def test_every_column_is_specified_in_docs_exports_md():
    spec = (Path(settings.BASE_DIR) / "docs" / "exports.md").read_text("utf-8")

    for column in (
        *MEASURE_COLUMNS,
        *UPDATE_COLUMNS,
        *INDICATOR_VALUE_COLUMNS,
    ):
        assert f"| `{column.key}` |" in spec, column.key
