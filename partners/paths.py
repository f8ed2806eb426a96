"""reverse() for the addresses that pages print by the hundred.

Django's reverse() costs 30–45 µs on the machines we measure on: the national front
page links every municipality and plan in the country (some 650 addresses, a quarter
of its time) and every table row links its measure, plan and partner. The address of
a named route with slug arguments differs between calls only in those slugs, so
cached_reverse() asks reverse() once per route, language, URL configuration and
script prefix, with stand-ins for the arguments, and then fills in the real ones.

It is exact only where reverse() would accept any value made of the characters it
fills in: the slug and str converters. It takes the slow path (reverse() itself)
for any other value, and for a route whose converter refuses the stand-in (int,
uuid). tests/partners/test_paths.py compares it with reverse() for every route.

Here, in the app every other app imports, so that each model's get_absolute_url()
can use it.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Characters reverse() leaves as they are (no percent-encoding) and every slug and
# str converter accepts.
_FILLABLE = re.compile(r"[-a-zA-Z0-9_]+\Z")


def cached_reverse(viewname: str, **kwargs) -> str:
    """reverse(viewname, kwargs=kwargs), from a cached pattern when it can be."""
    fillable = all(
        type(value) is str and _FILLABLE.match(value) for value in kwargs.values()
    )
    if not fillable:
        return reverse(viewname, kwargs=kwargs)
    pattern = _pattern(
        viewname,
        tuple(sorted(kwargs)),
        get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    if pattern is None:
        return reverse(viewname, kwargs=kwargs)
    return pattern.format_map(kwargs)


@lru_cache(maxsize=512)
def _pattern(
    viewname: str, names: tuple, language, urlconf, script_prefix
) -> str | None:
    """The route's address with "{name}" for each argument, or None when it cannot
    be one (the key's last three parts only key the cache: reverse() reads them
    from the thread)."""
    stand_ins = {name: f"rusplanstandin{index}z" for index, name in enumerate(names)}
    try:
        path = reverse(viewname, kwargs=stand_ins)
    except NoReverseMatch:
        return None
    path = path.replace("{", "{{").replace("}", "}}")
    for name, stand_in in stand_ins.items():
        if path.count(stand_in) != 1:
            return None
        path = path.replace(stand_in, "{" + name + "}")
    return path
