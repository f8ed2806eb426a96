"""LeanSelect writes what Django's own Select template writes."""

from html.parser import HTMLParser

import pytest
from django import forms

from measures.models import District
from measures.widgets import LeanSelect
from tests.factories import DistrictFactory

CHOICES = [("", "Alle"), ("a", "A & <b>"), ("b", 'B "sitat"'), (3, "Tre")]


class _Select(HTMLParser):
    """The select's attributes and its options as (attributes, text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.attrs: dict = {}
        self.options: list = []
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "select":
            self.attrs = dict(attrs)
        elif tag == "option":
            self.options.append([dict(attrs), ""])

    def handle_data(self, data) -> None:
        if self.options and data.strip():
            self.options[-1][1] += data


@pytest.mark.parametrize("value", [None, "", "a", "b", "3", "ukjent"])
def test_markup_means_the_same_as_djangos_select(value):
    attrs = {"class": "form-select", "id": "filter-x", "aria-invalid": "true"}

    lean = LeanSelect(attrs=attrs, choices=CHOICES).render("x", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("x", value)

    assert _Select(lean).attrs == _Select(django).attrs
    assert _Select(lean).options == _Select(django).options
    assert "A &amp; &lt;b&gt;" in lean


def test_model_choices_render_their_keys_and_labels(db):
    DistrictFactory(name="Årstad", slug="arstad")
    field = forms.ModelChoiceField(
        District.objects.all(), to_field_name="slug", widget=LeanSelect
    )

    html = field.widget.render("district", "arstad")

    assert '<option value="arstad" selected>Årstad</option>' in html
