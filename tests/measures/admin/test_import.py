"""Admin import of measures, status updates and indicator values
(measures/admin/imports/): the public exports read back,
edited, through the admin's upload and confirm steps; every kind of bad input
reported per row with nothing imported; permissions; the pages under the CSP."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from tablib import Dataset

from measures.admin.imports.indicator_values import IndicatorValueResource
from measures.admin.imports.jobs import import_job_start
from measures.admin.imports.measures import MeasureResource
from measures.admin.imports.status_updates import StatusUpdateResource
from measures.models import (
    IndicatorValue,
    Measure,
    MeasurePartner,
    Plan,
    Source,
    StatusUpdate,
)
from measures.services.indicator_values import (
    indicator_value_create,
)
from measures.services.status_updates import (
    status_update_create,
)
from partners.models import Membership
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    GoalFactory,
    MeasureFactory,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    SourceFactory,
    UserFactory,
)
from tests.support.csp import assert_strict_csp, inline_code

pytestmark = pytest.mark.django_db

FORMAT = {"csv": "0", "xlsx": "1"}  # the order of ServiceImportMixin's formats
LAST_YEAR = timezone.localdate().year - 1


# --- helpers ----------------------------------------------------------------------


def _url(model, view: str) -> str:
    return reverse(f"admin:measures_{model._meta.model_name}_{view}")


def upload(client, model, content: bytes, name: str = "fil.csv"):
    """The first step: upload; the preview runs as a job (at once here, where
    no queue is configured: tests/measures/admin/test_import_jobs.py runs it on
    the real queue) and the job's page follows."""
    return client.post(
        _url(model, "import"),
        {
            "resource": "0",
            "format": FORMAT[name.rsplit(".", 1)[1]],
            "import_file": SimpleUploadedFile(name, content),
        },
        follow=True,
    )


def confirm(client, model, preview):
    """The second step: the confirm button of the preview's page."""
    return client.post(preview.context["confirm_url"], follow=True)


def report(response) -> dict:
    return response.context.get("report") or {}


def problems(response) -> list[str]:
    found = list(report(response).get("file_errors") or [])
    if "form" in response.context and "job" not in response.context:
        found += [
            str(e) for e in response.context["form"].errors.get("import_file", [])
        ]
    found += [
        f"{p['row']}|{p['column']}|{p['message']}"
        for p in report(response).get("row_problems", [])
    ]
    return found


def import_ok(client, model, content: bytes, name: str = "fil.csv"):
    before = _counts()
    preview = upload(client, model, content, name)
    assert preview.status_code == 200
    assert preview.context.get("can_confirm"), problems(preview)
    assert _counts() == before  # the dry run wrote nothing
    done = confirm(client, model, preview)
    assert done.status_code == 200
    assert done.context.get("done_message"), problems(done)
    return preview


def export_rows(client, name: str, plan) -> list[dict]:
    response = client.get(reverse(f"measures:{name}", kwargs=plan.url_kwargs()))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def to_csv(rows: list[dict], header: list[str] | None = None) -> bytes:
    """As the export writes it: BOM, ";", CRLF."""
    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def value_row(indicator="overdosedodsfall", year=2018, value="12", **more) -> dict:
    return {
        "indicator": indicator,
        "period_type": "year",
        "year": str(year),
        "number": "1",
        "value": value,
        "source_urls": "https://www.fhi.no/dodsfall",
    } | more


def update_row(**more) -> dict:
    return {
        "external_id": "lar-2020",
        "measure": "lar-senter",
        "as_of": "2020-06-30",
        "phase": "in_progress",
        "health": "at_risk",
        "progress": "60",
        "summary": "Ventetiden øker.",
    } | more


def _counts():
    return (
        IndicatorValue.objects.count(),
        IndicatorValue.history.count(),
        StatusUpdate.objects.count(),
        StatusUpdate.history.count(),
        Measure.objects.count(),
        Measure.history.count(),
    )


# --- round trips ------------------------------------------------------------------


def test_indicator_values_csv_round_trip_replaces_the_edited_value_with_history(
    client, admin_client, superuser, import_world
):
    rows = export_rows(client, "plan-export-indicators-csv", import_world.plan)
    by_year = {
        row["year"]: row for row in rows if row["indicator"] == "overdosedodsfall"
    }
    assert by_year["2021"]["value"] == ""  # a small number: hidden in the file
    by_year["2020"]["value"] = "33"
    by_year["2020"]["note"] = "Revidert av FHI"
    rows.append(
        value_row(year=2018, value="18", plan="rusplan-2018")
        | {"id": "", "note": "Eldre tall"}
    )

    preview = import_ok(admin_client, IndicatorValue, to_csv(rows))

    assert report(preview)["totals"]["new"] == 1
    assert report(preview)["totals"]["update"] == 1
    assert report(preview)["totals"]["skip"] == 3  # 2019, 2021 (hidden), 18,3 %
    old = import_world.values[2020]
    old.refresh_from_db()
    assert old.state == IndicatorValue.State.REPLACED
    new = IndicatorValue.objects.get(replaces=old)
    assert (new.value, new.note, new.state) == (33, "Revidert av FHI", "published")
    assert [h.history_user for h in new.history.all()] == [superuser]
    assert old.history.filter(history_user=superuser).count() == 1
    added = IndicatorValue.objects.get(indicator=import_world.indicator, year=2018)
    assert added.value == 18
    assert [h.history_user for h in added.history.all()] == [superuser]
    import_world.values[2021].refresh_from_db()
    assert import_world.values[2021].value == 3  # left alone
    assert import_world.values[2021].state == "published"


def test_indicator_values_xlsx_round_trip(
    client, admin_client, superuser, import_world
):
    response = client.get(
        reverse(
            "measures:plan-export-indicators-xlsx",
            kwargs=import_world.plan.url_kwargs(),
        )
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        if cells["year"].value == 2019:
            cells["value"].value = 26
    book.active = 1  # saved with "Om dataene" open: the import reads sheet 1
    out = io.BytesIO()
    book.save(out)

    import_ok(admin_client, IndicatorValue, out.getvalue(), "verdier.xlsx")

    current = IndicatorValue.objects.get(
        indicator=import_world.indicator, year=2019, state="published"
    )
    assert current.value == 26
    assert current.replaces == import_world.values[2019]
    assert [h.history_user for h in current.history.all()] == [superuser]


def test_status_updates_csv_round_trip_adds_the_new_row_once(
    client, admin_client, superuser, import_world
):
    rows = export_rows(client, "plan-export-updates-csv", import_world.plan)
    assert [row["external_id"] for row in rows] == ["lar-2019"]
    rows.append(update_row(plan="rusplan-2018", id=""))
    content = to_csv(rows)

    preview = import_ok(admin_client, StatusUpdate, content)

    assert report(preview)["totals"]["new"] == 1
    assert report(preview)["totals"]["skip"] == 1
    update = StatusUpdate.objects.get(external_id="lar-2020")
    assert (update.state, update.author, update.reviewer) == (
        "published",
        superuser,
        superuser,
    )
    assert [h.history_user for h in update.history.all()] == [superuser]
    import_world.measure.refresh_from_db()
    assert (
        import_world.measure.current_health,
        import_world.measure.current_progress,
    ) == (
        "at_risk",
        60,
    )
    # The same file again: nothing new.
    again = import_ok(admin_client, StatusUpdate, content)
    assert report(again)["totals"]["new"] == 0
    assert StatusUpdate.objects.filter(external_id="lar-2020").count() == 1


def test_status_update_of_this_installation_is_found_by_id(
    client, admin_client, import_world
):
    import_world.plan.requires_review = False
    import_world.plan.save()
    status_update_create(
        actor=SYSTEM,
        measure=import_world.measure,
        author=UserFactory(),
        as_of=datetime.date(2020, 2, 29),
        phase="in_progress",
        health="on_track",
        progress=55,
        summary="Publisert uten ekstern nøkkel.",
        sources=[SourceFactory()],
        submit=True,
    )
    rows = export_rows(client, "plan-export-updates-csv", import_world.plan)
    assert "" in [row["external_id"] for row in rows]

    preview = import_ok(admin_client, StatusUpdate, to_csv(rows))

    assert report(preview)["totals"]["skip"] == len(rows)


def test_measures_xlsx_round_trip_changes_the_measure_with_one_history_row(
    client, admin_client, superuser, import_world
):
    response = client.get(
        reverse("measures:plan-export-xlsx", kwargs=import_world.plan.url_kwargs())
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    cells["title"].value = "LAR-senter i Bergen sentrum"
    cells["goals"].value = "bolig|trygg-by"
    cells["contributors"].value = "helse-bergen"
    out = io.BytesIO()
    book.save(out)
    before = import_world.measure.history.count()

    preview = import_ok(admin_client, Measure, out.getvalue(), "tiltak.xlsx")

    assert report(preview)["totals"]["update"] == 1
    measure = Measure.objects.get(slug="lar-senter")
    assert measure.title == "LAR-senter i Bergen sentrum"
    assert set(measure.goals.values_list("slug", flat=True)) == {"bolig", "trygg-by"}
    assert measure.partner_roles.get(role="contributor").partner == import_world.helper
    assert measure.history.count() == before + 1
    assert measure.history.first().history_user == superuser


def test_measures_csv_adds_a_new_measure_through_the_service(
    client, admin_client, import_world
):
    rows = export_rows(client, "plan-export-csv", import_world.plan)
    rows.append(
        {
            "plan": "rusplan-2018",
            "slug": "sproyterom",
            "title": "Sprøyterom",
            "category": "injection_room",
            "goals": "trygg-by",
            "lead": "etat-rus",
            "contributors": "helse-bergen",
            "planned_start": "15.03.2019",
            "weight": "3",
        }
    )

    preview = import_ok(admin_client, Measure, to_csv(rows))

    assert report(preview)["totals"]["new"] == 1
    assert report(preview)["totals"]["skip"] == 1  # the unchanged one
    measure = Measure.objects.get(slug="sproyterom")
    assert measure.plan == import_world.plan
    assert measure.planned_start == datetime.date(2019, 3, 15)
    assert measure.weight == 3
    assert {(r.partner.slug, r.role) for r in measure.partner_roles.all()} == {
        ("etat-rus", MeasurePartner.Role.LEAD),
        ("helse-bergen", MeasurePartner.Role.CONTRIBUTOR),
    }


def test_a_measure_row_naming_another_plans_goal_imports_nothing(
    client, admin_client, import_world
):
    GoalFactory(plan=PlanFactory(slug="rusplan-2024"), slug="arbeid")
    rows = export_rows(client, "plan-export-csv", import_world.plan)
    rows[0]["goals"] = "trygg-by|arbeid"

    response = upload(admin_client, Measure, to_csv(rows))

    assert not response.context.get("can_confirm")
    assert problems(response) == [
        "2|goals|Planen «rusplan-2018» har ingen mål med nettadressenavn arbeid."
    ]
    assert set(import_world.measure.goals.values_list("slug", flat=True)) == {
        "trygg-by"
    }


def test_an_unchanged_export_imports_as_all_skipped(client, admin_client, import_world):
    for model, name in (
        (Measure, "plan-export-csv"),
        (StatusUpdate, "plan-export-updates-csv"),
        (IndicatorValue, "plan-export-indicators-csv"),
    ):
        before = _counts()
        rows = export_rows(client, name, import_world.plan)

        preview = import_ok(admin_client, model, to_csv(rows))

        totals = report(preview)["totals"]
        assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, len(rows))
        assert _counts() == before


# --- all or nothing ---------------------------------------------------------------


def test_one_bad_row_imports_nothing(admin_client, import_world):
    before = _counts()
    rows = [
        update_row(external_id="ok-1"),
        update_row(external_id="bad-1", as_of="2020-13-01"),
        update_row(external_id="ok-2", as_of="2020-08-31"),
    ]

    response = upload(admin_client, StatusUpdate, to_csv(rows))

    assert not response.context.get("can_confirm")
    assert problems(response) == [
        "3|as_of|«2020-13-01» er ikke en dato. Skriv datoen som ÅÅÅÅ-MM-DD, for "
        "eksempel 2020-12-31."
    ]
    assert "Ingenting er importert" in response.content.decode()
    assert _counts() == before
    job = response.context["job"]
    job.refresh_from_db()
    assert bytes(job.data) == b""  # nothing to confirm: the file is deleted


def test_a_row_that_fails_only_at_confirmation_rolls_back_every_row(
    admin_client, import_world
):
    rows = [value_row(year=2017, value="20"), value_row(year=2018, value="21")]
    preview = upload(admin_client, IndicatorValue, to_csv(rows))
    assert preview.context.get("can_confirm"), problems(preview)
    # Meanwhile someone records 2018 in the browser: the second row now fails.
    indicator_value_create(
        actor=SYSTEM,
        indicator=import_world.indicator,
        author=UserFactory(),
        year=2018,
        value=22,
    )
    before = _counts()

    response = confirm(admin_client, IndicatorValue, preview)

    assert response.status_code == 200
    assert "Ingenting er importert" in response.content.decode()
    assert any(p.startswith("3||") for p in problems(response)), problems(response)
    assert bytes(response.context["job"].data) == b""  # the import has ended
    assert _counts() == before
    assert not IndicatorValue.objects.filter(year=2017).exists()


# --- bad input, each reported per row ---------------------------------------------

BAD_VALUES = [
    pytest.param(
        [value_row(indicator="finnes-ikke")],
        "2|indicator|Fant ingen indikator «finnes-ikke».",
        id="unknown-indicator",
    ),
    pytest.param(
        [value_row(year=2017), value_row(year=2017, value="13")],
        "3||Rad 3 gjelder det samme som rad 2",
        id="duplicated-row",
    ),
    pytest.param(
        [value_row(value="-3")],
        "2|value|Et antall kan ikke være negativt.",
        id="negative-count",
    ),
    pytest.param(
        [value_row(value="mange")],
        "2|value|Verdien må være et tall, for eksempel 27 eller 18,3.",
        id="non-numeric-value",
    ),
    pytest.param(
        [value_row(year=LAST_YEAR + 2)],
        f"2|year|Perioden {LAST_YEAR + 2} er ikke over ennå.",
        id="future-period",
    ),
    pytest.param(
        [value_row(period_type="tertial", number="4")],
        "2|number|Periodenummeret må være 1 for et år, 1–3 for et tertial",
        id="period-number-out-of-range",
    ),
    pytest.param(
        [value_row(period_type="kvartal")],
        "2|period_type|«kvartal» er ikke en gyldig kode. Bruk en av: month, "
        "tertial, year.",
        id="unknown-period-type",
    ),
    pytest.param(
        [value_row(year="2017,5")],
        "2|year|«2017,5» går ikke: skriv et helt tall fra 1900 til 2200.",
        id="year-not-a-year",
    ),
    pytest.param(
        [value_row(value="")],
        "2|value|Verdien mangler.",
        id="missing-value",
    ),
    pytest.param(
        [value_row(source_urls="")],
        "2|source_urls|Et publisert tall må ha en kilde.",
        id="missing-source",
    ),
    pytest.param(
        [value_row(plan="annen-plan")],
        "2|plan|Indikatoren «overdosedodsfall» hører til planen «rusplan-2018»",
        id="wrong-plan",
    ),
    pytest.param(
        [value_row(indicator="lar-pasienter", value="12,5")],
        "2|value|Et antall må være et helt tall.",
        id="count-not-whole",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), BAD_VALUES)
def test_bad_indicator_value_rows_are_reported_and_nothing_is_imported(
    admin_client, import_world, rows, expected
):
    good = value_row(year=2016, value="10")
    before = _counts()

    response = upload(admin_client, IndicatorValue, to_csv([*rows, good]))

    assert not response.context.get("can_confirm")
    assert any(p.startswith(expected) for p in problems(response)), problems(response)
    assert _counts() == before


def test_a_second_value_for_a_period_under_review_is_refused(
    admin_client, import_world
):
    indicator_value_create(
        actor=SYSTEM,
        indicator=import_world.indicator,
        author=UserFactory(),
        year=2017,
        value=5,
        sources=[SourceFactory()],
        submit=True,
    )
    before = _counts()

    response = upload(admin_client, IndicatorValue, to_csv([value_row(year=2017)]))

    assert problems(response) == [
        "2||Det finnes allerede en verdi for 2017 som er under arbeid eller venter "
        "på godkjenning. Rett den i stedet for å lage en ny."
    ]
    assert _counts() == before


def test_an_empty_value_with_other_changes_asks_for_the_value(
    client, admin_client, import_world
):
    rows = export_rows(client, "plan-export-indicators-csv", import_world.plan)
    hidden = next(row for row in rows if row["year"] == "2021")
    hidden["note"] = "Ny merknad"

    response = upload(admin_client, IndicatorValue, to_csv(rows))

    assert any(p.startswith("4|value|Verdien er tom") for p in problems(response)), (
        problems(response)
    )


def test_a_wrong_column_is_reported_with_the_known_ones(admin_client, import_world):
    rows = [value_row() | {"verdi": "12"}]
    before = _counts()

    response = upload(admin_client, IndicatorValue, to_csv(rows))

    [message] = problems(response)
    assert message.startswith("Ukjente kolonner: verdi. Rett overskriften")
    assert "indicator, indicator_title" in message
    assert report(response)["row_problems"] == []
    assert _counts() == before


def test_a_missing_key_column_is_reported(admin_client, import_world):
    rows = [{"measure": "lar-senter", "as_of": "2020-01-31"}]

    response = upload(admin_client, StatusUpdate, to_csv(rows))

    assert problems(response) == [
        "Filen mangler kolonnene external_id, phase, summary. Den første raden må "
        "ha kolonnenavnene fra eksporten."
    ]


BAD_UPDATES = [
    pytest.param(
        update_row(measure="finnes-ikke"),
        "2|measure|Fant ikke tiltaket «finnes-ikke».",
        id="unknown-measure",
    ),
    pytest.param(
        update_row(as_of="31.02.2020"),
        "2|as_of|«31.02.2020» er ikke en dato.",
        id="bad-date",
    ),
    pytest.param(
        update_row(
            as_of=(timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        ),
        "2|as_of|Datoen kan ikke være fram i tid.",
        id="future-date",
    ),
    pytest.param(
        update_row(as_of="2016-12-31"),
        "2|as_of|Datoen kan ikke være før planen startet (2018).",
        id="before-the-plan",
    ),
    pytest.param(
        update_row(progress="140"),
        "2|progress|«140» går ikke: skriv et helt tall fra 0 til 100.",
        id="progress-out-of-range",
    ),
    pytest.param(
        update_row(phase="ferdig"),
        "2|phase|«ferdig» er ikke en gyldig kode.",
        id="unknown-phase",
    ),
    pytest.param(
        update_row(external_id=""),
        "2|external_id|En ny oppdatering må ha en ekstern nøkkel",
        id="new-row-without-external-id",
    ),
    pytest.param(
        update_row(external_id="lar-2019"),
        "2||Statusoppdatering lar-2019 finnes og endres aldri ved import",
        id="published-update-edited",
    ),
    pytest.param(
        update_row(id="999999"),
        "2|id|id 999999 er en annen oppdatering",
        id="id-of-another-update",
    ),
    pytest.param(
        update_row(health="", progress="", summary="Hendelse uten kilde."),
        "2||Angi fremdrift og vurdering, eller en kilde",
        id="no-assessment-no-source",
    ),
]


@pytest.mark.parametrize(("row", "expected"), BAD_UPDATES)
def test_bad_status_update_rows_are_reported_and_nothing_is_imported(
    admin_client, import_world, row, expected
):
    if "999999" in expected:
        # An id that exists, and is not the update with this external id.
        expected = expected.replace("999999", str(import_world.update.pk))
        row = row | {"id": str(import_world.update.pk), "external_id": "lar-ny"}
    before = _counts()

    response = upload(
        admin_client, StatusUpdate, to_csv([row, update_row(external_id="ok")])
    )

    assert not response.context.get("can_confirm")
    assert any(p.startswith(expected) for p in problems(response)), problems(response)
    assert _counts() == before


BAD_MEASURES = [
    pytest.param(
        {"plan": "finnes-ikke", "slug": "x", "title": "X", "lead": "etat-rus"},
        "2|plan|Fant ingen plan «finnes-ikke».",
        id="unknown-plan",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "ny", "title": "Ny", "lead": "ukjent"},
        "2|lead|Fant ingen partner med nettadressenavn ukjent.",
        id="unknown-partner",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "ny", "title": "Ny"},
        "2|lead|Et nytt tiltak må ha en ansvarlig partner",
        id="new-without-lead",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "lar-senter", "goals": "finnes-ikke"},
        "2|goals|Planen «rusplan-2018» har ingen mål med nettadressenavn finnes-ikke.",
        id="unknown-goal",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "lar-senter", "weight": "-2"},
        "2|weight|«-2» går ikke: skriv et helt tall fra 1 til 100.",
        id="negative-weight",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "lar-senter", "planned_end": "snart"},
        "2|planned_end|«snart» er ikke en dato.",
        id="bad-date",
    ),
    pytest.param(
        {
            "plan": "rusplan-2018",
            "slug": "lar-senter",
            "planned_start": "2020-01-01",
            "planned_end": "2019-01-01",
        },
        "2||Planlagt slutt kan ikke være før planlagt start.",
        id="end-before-start",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "lar-senter", "contributors": "etat-rus"},
        "2|lead|Etat for rus kan ikke være både ansvarlig og bidragsyter.",
        id="lead-also-contributor",
    ),
    pytest.param(
        {"plan": "rusplan-2018", "slug": "Ugyldig navn", "title": "X"},
        "2|slug|«Ugyldig navn» er ikke et nettadressenavn",
        id="bad-slug",
    ),
]


@pytest.mark.parametrize(("row", "expected"), BAD_MEASURES)
def test_bad_measure_rows_are_reported_and_nothing_is_imported(
    admin_client, import_world, row, expected
):
    before = _counts()

    response = upload(admin_client, Measure, to_csv([row]))

    assert not response.context.get("can_confirm")
    assert any(p.startswith(expected) for p in problems(response)), problems(response)
    assert _counts() == before


def test_an_empty_continues_keeps_a_link_the_public_file_leaves_out(
    client, admin_client, import_world
):
    draft = PlanFactory(slug="utkast", owner=import_world.owner, status="draft")
    hidden = MeasureFactory(plan=draft, slug="skjult-tiltak")
    Measure.objects.filter(pk=import_world.measure.pk).update(continues=hidden)
    rows = export_rows(client, "plan-export-csv", import_world.plan)
    assert rows[0]["continues"] == ""

    preview = import_ok(admin_client, Measure, to_csv(rows))

    assert report(preview)["totals"]["skip"] == 1
    import_world.measure.refresh_from_db()
    assert import_world.measure.continues == hidden


def test_a_measure_cannot_move_to_another_plan(admin_client, import_world):
    PlanFactory(
        slug="rusplan-2023", owner=import_world.owner, start_year=2023, end_year=None
    )
    row = {"plan": "rusplan-2023", "slug": "lar-senter", "title": "LAR-senter"}

    response = upload(admin_client, Measure, to_csv([row]))

    assert problems(response) == [
        "2|plan|Tiltaket «lar-senter» hører til planen «rusplan-2018». Et tiltak kan "
        "ikke flyttes til en annen plan; bruk et nytt nettadressenavn for et nytt "
        "tiltak."
    ]


def test_csv_saved_by_a_spreadsheet_is_read(admin_client, import_world):
    """Comma-separated, Windows-1252, dates as dd.mm.yyyy, an apostrophe guard,
    blank rows: as Excel on a Norwegian Windows machine may save it."""
    text = (
        "external_id,measure,as_of,phase,health,progress,summary\r\n"
        "lar-2020,lar-senter,30.06.2020,in_progress,at_risk,60,'=Ventetid øker\r\n"
        ",,,,,,\r\n"
        "\r\n"
    )

    import_ok(admin_client, StatusUpdate, text.encode("cp1252"))

    update = StatusUpdate.objects.get(external_id="lar-2020")
    assert update.as_of == datetime.date(2020, 6, 30)
    assert update.summary == "=Ventetid øker"


# --- permissions ------------------------------------------------------------------


def _staff(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize(
    ("model", "codenames"),
    [
        (Measure, ["view_measure", "change_measure"]),
        (StatusUpdate, ["view_statusupdate", "add_statusupdate"]),
        (IndicatorValue, ["view_indicatorvalue"]),
    ],
)
def test_staff_without_add_and_change_permission_gets_403(
    client, import_world, model, codenames
):
    client.force_login(_staff(*codenames))

    assert client.get(_url(model, "import")).status_code == 403
    assert client.post(_url(model, "import"), {}).status_code == 403
    page = client.get(_url(model, "changelist"))
    assert page.status_code == 200
    assert _url(model, "import") not in page.content.decode()


def test_staff_with_add_and_change_permission_may_import(client, import_world):
    user = _staff("view_indicatorvalue", "add_indicatorvalue", "change_indicatorvalue")
    client.force_login(user)

    import_ok(client, IndicatorValue, to_csv([value_row(year=2017)]))

    value = IndicatorValue.objects.get(year=2017)
    assert [h.history_user for h in value.history.all()] == [user]


def test_the_import_needs_the_right_to_publish_on_the_plan(import_world, charlie):
    """The resource asks the services, which ask permissions.py: a caseworker of
    another partner may not publish values in this plan, a coordinator of the
    plan's owner may."""
    dataset = Dataset(headers=list(value_row()))
    dataset.append(list(value_row(year=2017).values()))

    refused = IndicatorValueResource().import_data(dataset, user=charlie)

    assert refused.has_validation_errors()
    [row] = refused.invalid_rows
    assert row.non_field_specific_errors[0].startswith(
        "Du har ikke rett til å publisere indikatorverdier i planen «rusplan-2018»."
    )
    assert not IndicatorValue.objects.filter(year=2017).exists()

    olivia = UserFactory(username="olivia")
    MembershipFactory(
        user=olivia, partner=import_world.owner, role=Membership.Role.COORDINATOR
    )
    done = IndicatorValueResource().import_data(dataset, user=olivia)

    assert not done.has_validation_errors()
    assert IndicatorValue.objects.get(year=2017).state == "published"


def test_a_caseworker_may_not_publish_status_updates_by_import(import_world, alice):
    MembershipFactory(
        user=alice, partner=import_world.lead
    )  # a reporter on the measure
    dataset = Dataset(headers=list(update_row()))
    dataset.append(list(update_row().values()))

    result = StatusUpdateResource().import_data(dataset, user=alice)

    [row] = result.invalid_rows
    assert row.non_field_specific_errors[0].startswith(
        "Du har ikke rett til å publisere statusoppdateringer i planen"
    )
    assert not StatusUpdate.objects.filter(external_id="lar-2020").exists()


def test_the_import_without_a_user_writes_nothing(import_world):
    dataset = Dataset(headers=list(update_row()))
    dataset.append(list(update_row().values()))

    result = StatusUpdateResource().import_data(dataset)

    assert result.has_validation_errors()
    assert not StatusUpdate.objects.filter(external_id="lar-2020").exists()


# --- the pages --------------------------------------------------------------------


def test_changelists_link_to_the_import(admin_client, import_world):
    for model in (Measure, StatusUpdate, IndicatorValue):
        page = admin_client.get(_url(model, "changelist"))

        assert _url(model, "import") in page.content.decode()


def test_import_pages_need_no_inline_code_under_the_csp(admin_client, import_world):
    form = admin_client.get(_url(IndicatorValue, "import"))
    rows = [value_row(year=2017), value_row(year=2020, value="30")]
    preview = upload(admin_client, IndicatorValue, to_csv(rows))
    failed = upload(admin_client, IndicatorValue, to_csv([value_row(value="x")]))

    for page in (form, preview, failed):
        assert page.status_code == 200
        assert_strict_csp(page)
        assert inline_code(page) == []
    html = preview.content.decode()
    assert "<del>31</del> <ins>30</ins>" in html
    assert "Bekreft import" in html


# --- source_urls ----------------------------------------------------------------------


def test_source_urls_become_sources_and_are_cited_by_the_imported_update(
    admin_client, import_world
):
    import_ok(
        admin_client,
        StatusUpdate,
        to_csv(
            [
                update_row(
                    source_urls=(
                        "https://www.bergen.kommune.no/sak/1 ; "
                        "https://www.bt.no/nyheter/2 https://www.bergen.kommune.no/sak/1"
                    )
                )
            ]
        ),
    )
    update = StatusUpdate.objects.get(external_id="lar-2020")
    cited = [c.source for c in update.citations.order_by("position")]
    assert [s.url for s in cited] == [
        "https://www.bergen.kommune.no/sak/1",
        "https://www.bt.no/nyheter/2",
    ]
    first = cited[0]
    assert (first.publisher, first.title) == ("bergen.kommune.no", first.url)
    assert first.kind == Source.Kind.ORGANISATION
    assert first.published_on is None
    assert "ikke kontrollert" in first.date_note


def test_a_url_already_a_source_is_cited_not_added_again(admin_client, import_world):
    known = SourceFactory(url="https://www.bergen.kommune.no/sak/1", title="Sak 1")
    import_ok(
        admin_client,
        StatusUpdate,
        to_csv([update_row(source_urls="https://www.bergen.kommune.no/sak/1")]),
    )
    assert Source.objects.filter(url="https://www.bergen.kommune.no/sak/1").count() == 1
    assert StatusUpdate.objects.get(external_id="lar-2020").citations.get().source == (
        known
    )


def test_an_update_without_assessment_may_rest_on_source_urls_alone(
    admin_client, import_world
):
    row = update_row(health="", progress="", source_urls="https://www.bt.no/sak")
    import_ok(admin_client, StatusUpdate, to_csv([row]))
    assert StatusUpdate.objects.filter(external_id="lar-2020").exists()


@pytest.mark.parametrize(
    "cell", ["javascript:alert(1)", "https://ok.no/a; ftp://example.org/fil", "www.x"]
)
def test_a_bad_source_url_is_an_error_on_its_row_and_nothing_is_imported(
    admin_client, import_world, cell
):
    rows = [update_row(), update_row(external_id="lar-2021", source_urls=cell)]
    before, sources = _counts(), Source.objects.count()
    preview = upload(admin_client, StatusUpdate, to_csv(rows, list(rows[1])))
    found = problems(preview)
    assert any(
        p.startswith("3|source_urls|") and "http:// eller https://" in p for p in found
    ), found
    assert not preview.context.get("can_confirm")
    assert _counts() == before
    assert Source.objects.count() == sources


def test_indicator_values_accept_source_urls(admin_client, import_world):
    import_ok(
        admin_client,
        IndicatorValue,
        to_csv([value_row(source_urls="https://www.fhi.no/tall")]),
    )
    value = IndicatorValue.objects.get(indicator=import_world.indicator, year=2018)
    assert value.citations.get().source.url == "https://www.fhi.no/tall"


def test_a_corrected_value_keeps_the_sources_of_the_value_it_replaces(
    admin_client, import_world
):
    old = import_world.values[2019]
    source = SourceFactory(url="https://www.fhi.no/2019")
    old.citations.create(source=source)
    import_ok(
        admin_client,
        IndicatorValue,
        to_csv([value_row(year=2019, value="28", source_urls="")]),
    )
    new = IndicatorValue.objects.get(replaces=old)
    assert {c.source for c in new.citations.all()} == {
        c.source for c in old.citations.all()
    }
    assert source in {c.source for c in new.citations.all()}


def test_new_sources_for_an_unchanged_published_value_are_refused(
    admin_client, import_world
):
    preview = upload(
        admin_client,
        IndicatorValue,
        to_csv([value_row(year=2019, value="27", source_urls="https://www.fhi.no/x")]),
    )
    assert any("source_urls" in p for p in problems(preview)), problems(preview)
    assert not Source.objects.filter(url="https://www.fhi.no/x").exists()


# --- invisible characters (partners/text.py) --------------------------------------

INVISIBLE = {
    "bidi-override": "\u202e",
    "bidi-isolate": "\u2068",
    "zero-width": "\u200b",
    "direction-mark": "\u200f",
}


def _measure_row(**more) -> dict:
    return {"plan": "rusplan-2018", "slug": "lar-senter", "title": "LAR"} | more


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize(
    ("resource", "row", "column"),
    [
        (MeasureResource, _measure_row, "title"),
        (StatusUpdateResource, update_row, "summary"),
        (IndicatorValueResource, value_row, "note"),
    ],
    ids=["measures", "status-updates", "indicator-values"],
)
def test_the_import_refuses_a_row_with_invisible_characters(
    import_world, superuser, resource, row, column, char
):
    typed = row(**{column: f"Tekst{char}her"})
    dataset = Dataset(headers=list(typed))
    dataset.append(list(typed.values()))
    before = _counts()

    result = resource().import_data(dataset, user=superuser)

    [refused] = result.invalid_rows
    [message] = refused.error_dict[column]
    assert message.startswith(f"«{column}» inneholder usynlige tegn")
    assert f"U+{ord(char):04X}" in message
    assert _counts() == before


def test_a_file_name_with_invisible_characters_is_shown_without_them(
    admin_client, admin_user, import_world
):
    """The name is shown on the job's page: a right-to-left override would show
    «fakturacsv.exe» for a file called «faktura\u202eexe.csv». Django's upload
    parser drops such characters (they are not printable), and import_job_start
    drops them from a name given any other way."""
    page = upload(
        admin_client, StatusUpdate, to_csv([update_row()]), "faktura\u202eexe.csv"
    )
    assert page.context["job"].file_name == "fakturaexe.csv"

    job = import_job_start(
        user=admin_user,
        model="measures.statusupdate",
        file_name="faktura\u202eexe\u200b.csv",
        file_format="csv",
        data=to_csv([update_row()]),
        total=1,
    )
    job.refresh_from_db()
    assert job.file_name == "fakturaexe.csv"


# --- slugs unique only within a municipality -------------------------------------


def _askoy_twin(import_world):
    """Askøy, with a plan, a measure and a district of the same slugs as
    Bergen's."""
    askoy = MunicipalityFactory(name="Askøy", slug="askoy", number="4627")
    plan = PlanFactory(
        municipality=askoy,
        slug="rusplan-2018",
        owner=PartnerFactory(municipality=askoy),
    )
    measure = MeasureFactory(plan=plan, slug="lar-senter", title="Askøys LAR-senter")
    DistrictFactory(municipality=askoy, slug="sentrum")
    return plan, measure


def test_a_measure_row_changes_the_measure_of_its_plans_municipality(
    client, admin_client, import_world
):
    askoy_plan, askoy_measure = _askoy_twin(import_world)
    Plan.objects.filter(pk=askoy_plan.pk).update(slug="askoy-rusplan")
    bergen_sentrum = DistrictFactory(slug="sentrum")
    rows = export_rows(client, "plan-export-csv", import_world.plan)
    rows[0]["title"] = "LAR-senter i sentrum"
    rows[0]["districts"] = "sentrum"

    import_ok(admin_client, Measure, to_csv(rows))

    import_world.measure.refresh_from_db()
    askoy_measure.refresh_from_db()
    assert import_world.measure.title == "LAR-senter i sentrum"
    assert list(import_world.measure.districts.all()) == [bergen_sentrum]
    assert askoy_measure.title == "Askøys LAR-senter"


def test_a_plan_slug_of_two_municipalities_is_refused_not_guessed(
    client, admin_client, import_world
):
    """A platform administrator's row whose plan slug two municipalities have is
    refused, naming both, until its municipality column says which
    (measures/admin/imports/base.py resolve())."""
    _askoy_plan, askoy_measure = _askoy_twin(import_world)
    rows = export_rows(client, "plan-export-csv", import_world.plan)
    rows[0]["title"] = "Endret"
    rows[0].pop("municipality", None)

    response = upload(admin_client, Measure, to_csv(rows))

    assert any(
        "finnes i flere kommuner" in p and "Askøy" in p and "Bergen" in p
        for p in problems(response)
    )
    import_world.measure.refresh_from_db()
    askoy_measure.refresh_from_db()
    assert import_world.measure.title == "LAR-senter"
    assert askoy_measure.title == "Askøys LAR-senter"

    # The row's municipality decides: Bergen's measure changes, Askøy's does not.
    import_ok(admin_client, Measure, to_csv([rows[0] | {"municipality": "bergen"}]))

    import_world.measure.refresh_from_db()
    askoy_measure.refresh_from_db()
    assert import_world.measure.title == "Endret"
    assert askoy_measure.title == "Askøys LAR-senter"


def test_a_status_update_finds_its_measure_by_the_rows_plan(
    client, admin_client, import_world
):
    """A measure slug of two municipalities: refused without a plan or a
    municipality to tell them apart, never guessed; the row's plan (or its
    municipality column) decides."""
    askoy_plan, askoy_measure = _askoy_twin(import_world)
    Plan.objects.filter(pk=askoy_plan.pk).update(slug="askoy-rusplan")

    refused = upload(admin_client, StatusUpdate, to_csv([update_row(plan="")]))
    assert any("finnes i flere kommuner" in p for p in problems(refused))
    assert not StatusUpdate.objects.filter(external_id="lar-2020").exists()

    import_ok(admin_client, StatusUpdate, to_csv([update_row(plan="rusplan-2018")]))

    update = StatusUpdate.objects.get(external_id="lar-2020")
    assert update.measure == import_world.measure
    assert not askoy_measure.updates.exists()

    import_ok(
        admin_client,
        StatusUpdate,
        to_csv([update_row(external_id="lar-askoy", plan="", municipality="askoy")]),
    )
    assert StatusUpdate.objects.get(external_id="lar-askoy").measure == askoy_measure
