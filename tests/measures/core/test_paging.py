"""KeysFirstPaginator gives the same pages as Django's Paginator."""

import pytest
from django.core.paginator import Paginator

from measures.paging import KeysFirstPaginator
from measures.selectors.public import measure_list_queryset
from tests.factories import MeasureFactory, PlanFactory


@pytest.mark.django_db
def test_pages_hold_the_same_measures_in_the_same_order(django_assert_num_queries):
    for plan in (PlanFactory(start_year=2012), PlanFactory(start_year=2018)):
        for identifier in ("10", "2", "1", "2"):
            MeasureFactory(plan=plan, identifier=identifier)
    queryset = measure_list_queryset()
    plain, keys_first = Paginator(queryset, 3), KeysFirstPaginator(queryset, 3)

    for number in plain.page_range:
        expected = list(plain.page(number))
        # count, keys, rows, lead partners and their former names
        with django_assert_num_queries(5):
            page = KeysFirstPaginator(queryset, 3).page(number)
            assert [m.lead_roles[0].partner.name for m in page]
        assert list(page) == expected
        assert [m.plan.title for m in page] == [m.plan.title for m in expected]
    assert keys_first.num_pages == plain.num_pages == 3
