"""The admin's imports with many municipalities (decision 56): a row's keys are
looked up in the importing administrator's municipality; a row naming another
municipality's plan, measure, district, partner or indicator is refused with a
message that says so; a file mixing municipalities is refused whole, naming the
rows of each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tablib import Dataset

from measures.admin.imports.indicator_values import IndicatorValueResource
from measures.admin.imports.measures import MeasureResource
from measures.admin.imports.status_updates import StatusUpdateResource
from measures.models import IndicatorValue, Measure, StatusUpdate
from tests.factories import DistrictFactory, IndicatorFactory, PlanFactory
from tests.support.municipalities import BERGEN_SECRET, build_two_municipalities

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_two_municipalities()


def _run(resource, rows: list[dict], user, *, dry_run=False):
    headers = sorted({key for row in rows for key in row})
    dataset = Dataset(headers=headers)
    for row in rows:
        dataset.append([row.get(key, "") for key in headers])
    return resource().import_data(dataset, user=user, dry_run=dry_run)


def _messages(result) -> list[str]:
    found = [
        str(text)
        for error in result.base_errors
        for text in getattr(error.error, "messages", [error.error])
    ]
    for row in result.invalid_rows:
        for column, texts in row.field_specific_errors.items():
            found += [f"{row.number + 1}|{column}|{text}" for text in texts]
        found += [f"{row.number + 1}||{text}" for text in row.non_field_specific_errors]
    return found


def _measure(**more) -> dict:
    return {
        "plan": "rusplan",
        "slug": "ny-tiltak",
        "title": "Nytt tiltak",
        "lead": "askoy-etat",
    } | more


# Measures -----------------------------------------------------------------------------


def test_a_plan_slug_both_municipalities_use_means_the_administrators_own(w):
    result = _run(
        MeasureResource,
        [_measure(districts="sentrum", contributors="vest-politidistrikt")],
        w.askoy_admin,
    )
    assert not result.has_errors() and not result.has_validation_errors(), _messages(
        result
    )
    measure = Measure.objects.get(slug="ny-tiltak")
    assert measure.plan == w.askoy.plan
    assert list(measure.districts.all()) == [w.askoy.district]
    assert set(measure.partners.all()) == {w.askoy.unit, w.police}


def test_a_measure_slug_both_municipalities_use_changes_only_their_own(w):
    result = _run(
        MeasureResource,
        [_measure(slug="mo-senter", title="Askøy endret")],
        w.askoy_admin,
    )
    assert not result.has_validation_errors(), _messages(result)
    w.askoy.measure.refresh_from_db()
    w.bergen.measure.refresh_from_db()
    assert w.askoy.measure.title == "Askøy endret"
    assert w.bergen.measure.title == f"{BERGEN_SECRET} tiltak"


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ({"municipality": "bergen"}, "municipality", "Raden gjelder Bergen kommune"),
        ({"municipality": "4601"}, "municipality", "Raden gjelder Bergen kommune"),
        ({"plan": "bare-bergen"}, "plan", "hører til en annen kommune"),
        ({"districts": "bare-bergen-bydel"}, "districts", "annen kommune"),
        ({"lead": "bergen-etat"}, "lead", "annen kommune"),
        ({"contributors": "bergen-kommune"}, "contributors", "annen kommune"),
    ],
)
def test_a_row_naming_another_municipalitys_object_is_refused(w, row, column, words):
    PlanFactory(
        slug="bare-bergen", municipality=w.bergen.municipality, owner=w.bergen.owner
    )
    DistrictFactory(slug="bare-bergen-bydel", municipality=w.bergen.municipality)
    result = _run(MeasureResource, [_measure(**row)], w.askoy_admin)
    messages = _messages(result)
    assert any(
        message.startswith(f"2|{column}|") and words in message for message in messages
    ), messages
    assert not Measure.objects.filter(slug="ny-tiltak").exists()
    assert all(BERGEN_SECRET not in message for message in messages)


def test_a_platform_administrator_names_the_municipality_when_a_slug_is_in_both(
    w, superuser
):
    result = _run(MeasureResource, [_measure()], superuser)
    messages = _messages(result)
    assert any("kolonnen municipality" in m for m in messages), messages
    result = _run(
        MeasureResource, [_measure(municipality="askoy", lead="askoy-etat")], superuser
    )
    assert not result.has_validation_errors(), _messages(result)
    assert Measure.objects.get(slug="ny-tiltak").municipality == w.askoy.municipality


def test_a_file_mixing_municipalities_is_refused_whole_naming_the_rows(w, superuser):
    rows = [
        _measure(municipality="askoy", slug="a-1"),
        _measure(municipality="bergen", slug="b-1", lead="bergen-etat"),
        _measure(municipality="askoy", slug="a-2"),
    ]
    result = _run(MeasureResource, rows, superuser)
    messages = _messages(result)
    assert result.has_errors()
    mixed = next(m for m in messages if "blander kommuner" in m)
    assert "Askøy: rad 2, 4" in mixed and "Bergen: rad 3" in mixed
    assert not Measure.objects.filter(slug__in=["a-1", "a-2", "b-1"]).exists()


# Status updates and indicator values --------------------------------------------------


def _update(**more) -> dict:
    return {
        "external_id": "askoy-2024-1",
        "measure": "mo-senter",
        "as_of": "2020-06-30",
        "phase": "in_progress",
        "summary": "Går fint.",
        "source_urls": "https://www.askoy.kommune.no/rapport",
    } | more


def test_a_status_update_row_finds_their_own_measure_of_a_shared_slug(w):
    w.askoy.plan.status = "adopted"
    w.askoy.plan.save()
    result = _run(StatusUpdateResource, [_update()], w.askoy_admin)
    assert not result.has_validation_errors(), _messages(result)
    update = StatusUpdate.objects.get(external_id="askoy-2024-1")
    assert update.measure == w.askoy.measure


def test_a_status_update_row_of_another_municipality_is_refused(w):
    result = _run(StatusUpdateResource, [_update(municipality="bergen")], w.askoy_admin)
    assert any("Raden gjelder Bergen kommune" in m for m in _messages(result))
    w.bergen.measure.refresh_from_db()
    assert not StatusUpdate.objects.filter(external_id="askoy-2024-1").exists()


def test_an_indicator_value_of_another_municipality_is_refused(w):
    IndicatorFactory(goal=w.bergen.goal, slug="bare-bergen-indikator")
    result = _run(
        IndicatorValueResource,
        [
            {
                "indicator": "bare-bergen-indikator",
                "year": "2020",
                "value": "3",
                "source_urls": "https://www.fhi.no/tall",
            }
        ],
        w.askoy_admin,
    )
    assert any("indicator|" in m and "annen kommune" in m for m in _messages(result)), (
        _messages(result)
    )
    assert not IndicatorValue.objects.filter(indicator__slug="bare-bergen-indikator")


# Through the admin's pages ------------------------------------------------------------


def test_the_import_page_tells_a_municipal_administrator_why(client, w, otp_off):
    client.force_login(w.askoy_admin)
    content = "\ufeffplan;slug;title;lead\r\nbare-bergen;x;X;askoy-etat\r\n".encode()
    PlanFactory(
        slug="bare-bergen", municipality=w.bergen.municipality, owner=w.bergen.owner
    )
    response = client.post(
        reverse("admin:measures_measure_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("fil.csv", content),
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "hører til en annen kommune" in body
    assert "Askøy" in body
    assert BERGEN_SECRET not in body
    assert not response.context["can_confirm"]
