"""Form widgets for the public pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class LeanSelect(forms.Select):
    """A <select> built in Python rather than through one template per option.

    The national measure list offers over a thousand options (every public plan's
    goals, every partner and district with measures); Django renders each option
    with its own template include, about 0.1 ms an option, which made the filter
    form the slowest part of the page (docs/benchmarks.md). The markup is the same
    as Django's select.html; option groups are not used here."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        found = False
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            is_selected = not found and option_value in selected
            found |= is_selected
            options.append((option_value, " selected" if is_selected else "", label))
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(final_attrs),
            format_html_join("\n", '  <option value="{}"{}>{}</option>', options)
            if options
            else mark_safe(""),
        )
