from django.core.paginator import InvalidPage
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from measures.paging import KeysFirstPaginator


class Pagination(PageNumberPagination):
    """Pages of PAGE_SIZE objects; ?page_size= asks for up to MAX_PAGE_SIZE.

    Unlike DRF's default, a page or page size that is not a positive whole number
    is a 400 with the reason (DRF would answer 404, or silently use the default
    size); a page after the last is a 404. A page size above the maximum gives
    the maximum, and the `next` link says there is more."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    page_query_description = _("Sidenummer, fra 1.")
    page_size_query_description = _(
        "Antall objekter per side (1–200, standard 50). Større tall gir 200."
    )
    last_page_strings = ()

    def get_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        size = _positive_int(value)
        if size is None:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Sidestørrelsen må være et helt tall fra 1 til %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        number = _positive_int(value)
        if number is None:
            raise ValidationError(
                {self.page_query_param: [_("Sidenummeret må være et helt tall fra 1.")]}
            )
        return number

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage as error:
            raise NotFound(
                _("Siden finnes ikke. Siste side er %(last)s.")
                % {"last": paginator.num_pages}
            ) from error
        return list(self.page)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class KeysFirstPagination(Pagination):
    """For the measures, whose order no index serves: see KeysFirstPaginator."""

    django_paginator_class = KeysFirstPaginator


def _positive_int(value: str) -> int | None:
    # Digits only: int() would also take " 3", "+3" and "3_000".
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    number = int(value)
    return number if number >= 1 else None
