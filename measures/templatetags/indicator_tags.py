"""Number and money formatting for templates (measures/numbers.py, and the small-number
rule of measures/selectors/small_numbers.py), and the rows of the indicator
summaries."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from measures.numbers import format_nok, format_number
from measures.templatetags.rusplan_tags import cite

register = template.Library()


@register.filter
def nok(amount) -> str:
    """1234567 -> "kr 1 234 567" (no-break spaces); None -> ""."""
    return format_nok(amount)


@register.filter
def number(value) -> str:
    """1060 -> "1 060", Decimal("18.30") -> "18,3"."""
    if value is None or value == "":
        return ""
    return format_number(value)


@register.simple_tag
def indicator_summary_rows(series_list, citations) -> SafeString:
    """The rows of measures/public/includes/indicator_summary.html: an indicator
    each, with its latest value as public_value() shows it, the value's period,
    the baseline and target with their years, and the latest value's sources.

    Built here rather than by a template loop, as the measure table's rows
    (rusplan_tags.measure_table_rows()): about 150 µs of template work a row, and
    the largest national plan shows 37. Every text is escaped with html.escape();
    the messages are the template's own."""
    rows = []
    for series in series_list:
        indicator = series.indicator
        last = series.points[-1] if series.points else None
        unit = (
            f' <span class="fw-normal">({escape(indicator.unit)})</span>'
            if indicator.unit
            else ""
        )
        baseline = (
            f"{escape(series.baseline.text)} ({indicator.baseline_year})"
            if series.baseline
            else "–"
        )
        target = (
            f"{escape(series.target.text)} ({indicator.target_year})"
            if series.target
            else "–"
        )
        if last is not None:
            latest = escape(last.shown.text)
            period = escape(str(last.value.period_label))
            sources = cite(citations, "indicator_value", last.value.pk)
        else:
            latest = "–"
            period = escape(gettext("Ingen publiserte verdier ennå."))
            sources = ""
        rows.append(
            "<tr>\n"
            f'        <th scope="row" id="indikator-{escape(indicator.slug)}">'
            f"{escape(indicator.title)}{unit}</th>\n"
            f"        <td>{escape(str(indicator.get_direction_display()))}</td>\n"
            f'        <td class="text-end">{latest}</td>\n'
            f"        <td>{period}</td>\n"
            f'        <td class="text-end">{baseline}</td>\n'
            f'        <td class="text-end">{target}</td>\n'
            f"        <td>{sources}</td>\n"
            "      </tr>"
        )
    return mark_safe("\n      ".join(rows))  # noqa: S308 (every text escaped above)
