"""A municipality's pages: the municipality named by the address's first part
(/bergen/...), and the rule of which plans and measures are its own.

A plan belongs to one municipality and may be shared with others (an
interkommunal plan): it appears in each, and its measures with it."""

from functools import wraps

from django.shortcuts import get_object_or_404

from partners.models import Municipality


def municipality_for_page(slug: str) -> Municipality:
    return get_object_or_404(Municipality, slug=slug)


def municipal_view(view):
    """Resolve the /<kommune>/ of the address: the view gets `municipality`
    instead of the slug (404 for an unknown one), and templates get it as
    `municipality` through request.municipality (context processor)."""

    @wraps(view)
    def wrapper(request, *args, kommune: str, **kwargs):
        municipality = municipality_for_page(kommune)
        request.municipality = municipality
        return view(request, *args, municipality=municipality, **kwargs)

    return wrapper
