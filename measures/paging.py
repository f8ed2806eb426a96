"""Pagination of long, sorted lists of measures (the measure list, the API)."""

from django.core.paginator import Page, Paginator


class KeysFirstPaginator(Paginator):
    """Finds a page by sorting primary keys only, then loads that page's rows.

    The measure list's default order runs across the plan (newest plan first), so
    no index serves it: PostgreSQL sorts every public measure to keep 25. Sorting
    whole rows with their plans took twice as long as sorting keys at national
    scale (docs/benchmarks.md). Costs one query more per page; the rows keep the
    queryset's select_related and prefetch_related."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(
            self.object_list.prefetch_related(None).values_list("pk", flat=True)[
                bottom:top
            ]
        )
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        return self._get_page([rows[key] for key in keys], number, self)
