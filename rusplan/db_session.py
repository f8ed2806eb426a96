"""Settings each new PostgreSQL connection asks for before its first query."""

from django.conf import settings
from django.db.backends.signals import connection_created


def set_planner_costs(sender, connection, **kwargs) -> None:
    """The planner's price of a random page read (settings.RANDOM_PAGE_COST, from
    DATABASE_RANDOM_PAGE_COST; empty leaves the server's own).

    A `SET` on the new session rather than a startup option (`-c
    random_page_cost=...` in the connection's `options`): PgBouncer, which
    docs/deploy.md suggests in front of PostgreSQL, refuses startup options it
    does not know, so the option would have stopped every connection there. Run
    on the driver's own cursor: it is part of opening the connection, not a query
    of the page's (the query-count tests count the page's)."""
    cost = settings.RANDOM_PAGE_COST
    if connection.vendor != "postgresql" or not cost:
        return
    with connection.connection.cursor() as cursor:
        cursor.execute("SET random_page_cost = %s", [cost])


def connect_receivers() -> None:
    connection_created.connect(set_planner_costs, dispatch_uid="rusplan.planner_costs")
