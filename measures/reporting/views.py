"""The report "status per <date>" (an HTML print view and the same page as PDF) and
the data exports (CSV, XLSX).

Rule for every view here: anyone may read them, like the plan page, and only read
them (GET and HEAD: any other method is a 405, `require_safe`); they show only
plans that are not drafts and only published updates (the selectors and
measures/reporting/exports.py enforce it).
"""

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from measures import open_data
from measures.charts.status import stacked_bar
from measures.models import Plan
from measures.municipal import municipal_view
from measures.reporting import exports, reports
from measures.reporting.pdf import html_to_pdf
from measures.selectors import citations
from measures.selectors.plans import plan_for_page
from measures.selectors.public import default_report_date

REPORT_TEMPLATE = "measures/reporting/plan_report.html"
PDF_TEMPLATE = "measures/reporting/plan_report_pdf.html"
LICENCE_LINK = f'<{open_data.LICENCE_URL}>; rel="license"'


@require_safe
@municipal_view
def plan_report(request: HttpRequest, municipality, slug: str) -> HttpResponse:
    return _report(request, plan_for_page(municipality=municipality, slug=slug))


@require_safe
@municipal_view
def plan_report_pdf(request: HttpRequest, municipality, slug: str) -> HttpResponse:
    return _report(
        request, plan_for_page(municipality=municipality, slug=slug), pdf=True
    )


def _report(request: HttpRequest, plan: Plan, *, pdf: bool = False) -> HttpResponse:
    today = timezone.localdate()
    raw = request.GET.get("per")
    basis = reports.report_basis(request.GET.get("grunnlag"))
    context = {
        "plan": plan,
        "today": today,
        "first_day": reports.plan_first_day(plan),
        "per": raw if raw is not None else default_report_date(plan, today).isoformat(),
        "basis": basis,
    }
    try:
        day = reports.report_date(plan, raw, today=today)
    except reports.ReportDateError as error:
        # The HTML page with the message, for the PDF address too: a browser shows
        # it, where a PDF viewer would show an error of its own.
        context["date_error"] = str(error)
        return render(request, REPORT_TEMPLATE, context, status=400)
    data = reports.plan_report(plan=plan, day=day, basis=basis)
    context.update(
        report=data,
        citations=citations.plan_citation_index(plan),
        per=day.isoformat(),
        phase_segments=stacked_bar(data.rollup.phases),
        health_segments=stacked_bar(data.rollup.healths),
    )
    if not pdf:
        return render(request, REPORT_TEMPLATE, context)
    html = render_to_string(PDF_TEMPLATE, context, request)
    # The default rule keeps the file name council cases already cite.
    suffix = "-publisert" if basis == reports.AS_PUBLISHED else ""
    response = HttpResponse(
        html_to_pdf(html, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = content_disposition_header(
        False, f"{plan.slug}-status-{day.isoformat()}{suffix}.pdf"
    )
    return response


# --- Exports ----------------------------------------------------------------------


@require_safe
@municipal_view
def plan_export(
    request: HttpRequest, municipality, slug: str, dataset: str, fmt: str
) -> HttpResponse:
    plan = plan_for_page(municipality=municipality, slug=slug)
    return _export(request, plan, dataset, fmt)


@require_safe
@municipal_view
def site_export(
    request: HttpRequest, municipality, dataset: str, fmt: str
) -> HttpResponse:
    """Every public plan of the municipality at once: its open-data dump."""
    return _export(request, None, dataset, fmt, municipality=municipality)


def _export(
    request: HttpRequest,
    plan: Plan | None,
    dataset: str,
    fmt: str,
    *,
    municipality=None,
) -> HttpResponse:
    data = exports.DATASETS[dataset](
        plan=plan, base_url=request.build_absolute_uri("/"), municipality=municipality
    )
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(data), content_type="text/csv; charset=utf-8"
        )
        filename = f"{data.filename_stem}.csv"
    else:
        try:
            target = exports.xlsx_file(data)
        except exports.TooManyRows:
            return HttpResponse(
                _(
                    "For mange rader for et regneark (over 1 048 575). Last ned "
                    "CSV-filen i stedet."
                ),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        response = FileResponse(
            target,
            as_attachment=True,
            filename=f"{data.filename_stem}.xlsx",
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
        filename = None
    if filename:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Link"] = LICENCE_LINK
    return response
