"""Management commands run as the tests run them."""

from io import StringIO

from django.core.management import call_command


def load_bergen_plans(*args) -> str:
    """`manage.py load_bergen_plans *args`; what it printed."""
    out = StringIO()
    call_command("load_bergen_plans", *args, stdout=out)
    return out.getvalue()
