"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from measures import permissions


def workspace(request):
    """Which staff links the header shows. Lazy, so that pages which never render
    the links (and anonymous visitors, who have no memberships) cost no query."""
    user = getattr(request, "user", None)

    def links():
        return {
            "my_measures": permissions.can_use_workspace(user),
            "review_queue": permissions.can_use_review_queue(user),
        }

    return {"workspace_links": SimpleLazyObject(links)}


def municipality(request):
    """The municipality whose page this is (measures/municipal.py sets it from
    the address), for the header's links; None on the national pages."""
    return {"municipality": getattr(request, "municipality", None)}
