import datetime
from html import escape

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from measures.selectors.public import default_report_date, plan_reference_date
from partners.models import Partner
from partners.paths import cached_reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def full_url(context, path: str) -> str:
    """An absolute URL, so that a printed page shows where each link goes."""
    request = context.get("request")
    if request is None:
        return path
    if not path.startswith("/") or path.startswith("//"):
        return request.build_absolute_uri(path)
    # A path from reverse() is already quoted: put the scheme and host, worked out
    # once per request, in front of it. Pages link hundreds of rows, and
    # build_absolute_uri() parses every path again.
    base = getattr(request, "_rusplan_url_base", None)
    if base is None:
        base = request._rusplan_url_base = request.build_absolute_uri("/")[:-1]
    return base + path


@register.simple_tag(takes_context=True)
def municipality_plan_rows(context, summaries) -> SafeString:
    """The national front page's table body (measures/selectors/municipalities.py):
    one <tbody> per municipality, a row per current plan, or one saying it has
    none. Built here rather than by template loops because the page lists every
    municipality in the country: the loops were half of its time (about 50 of
    100 ms for 356 municipalities). Every text is escaped with html.escape() and
    joined with f-strings: format_html() for each cell took 16 ms a page. The
    messages are the templates' own."""
    no_plans = escape(gettext("Ingen vedtatte planer er registrert."))
    # Each phase's label translated once, not once per plan.
    labels: dict[str, str] = {}
    bodies = []
    for summary in summaries:
        municipality = summary.municipality
        url = escape(full_url(context, municipality.get_absolute_url()))
        name = escape(gettext("%(name)s kommune") % {"name": municipality.name})
        heading = f'<th scope="row" class="fw-normal"><a href="{url}">{name}</a></th>'
        rows = [
            _current_plan_row(context, heading, municipality, current, labels)
            for current in summary.current_plans
        ] or [f'<tr>{heading}<td colspan="3">{no_plans}</td></tr>']
        slug = escape(municipality.slug)
        bodies.append(
            f'<tbody class="municipality-summary" id="kommune-{slug}">'
            f"{''.join(rows)}</tbody>"
        )
    return mark_safe("\n".join(bodies))  # noqa: S308 (every text escaped above)


def _current_plan_row(context, heading: str, municipality, current, labels) -> str:
    plan = current.plan
    # "Pågår: 3; Fullført: 1": the phases that have measures, each label
    # translated once per page (setdefault() would translate it every time).
    for phase in current.phases:
        if phase.key not in labels:
            labels[phase.key] = escape(str(phase.label))
    phases = "; ".join(
        f"{labels[phase.key]}: {phase.count}" for phase in current.phases
    )
    shared = ""
    if plan.municipality_id != municipality.pk:
        text = gettext("felles plan med %(name)s") % {"name": plan.municipality.name}
        shared = f' <span class="small">({escape(text)})</span>'
    url = escape(full_url(context, plan.get_absolute_url()))
    total = escape(localize(current.total))
    return (
        f'<tr>{heading}<td><a href="{url}">{escape(plan.title)}</a>{shared}</td>'
        f'<td class="text-end">{total}</td><td>{phases or "–"}</td></tr>'
    )


@register.simple_tag
def health_badge(key: str, label) -> SafeString:
    """The traffic-light badge of an assessment ("Ikke vurdert" without one). A
    tag, not an include: tables show one per row, and an include cost ten times
    as much. html.escape() and an f-string: format_html() cost as much again."""
    text = label if key else gettext("Ikke vurdert")
    return mark_safe(  # noqa: S308 (both texts escaped)
        f'<span class="status-badge health-{escape(key or "none")}">'
        f"{escape(str(text))}</span>"
    )


@register.simple_tag
def status_timeline_items(updates, citations) -> SafeString:
    """The <li> items of the measure page's published updates (its "historikk"):
    each with its date, phase, progress and assessment, its summary with its
    sources, its uncertainty and the day it was registered.

    Built here rather than by a template loop, as measure_table_rows(): each
    update took two blocktranslates, two date filters and an include, and the
    page of a measure with 50 updates spent 24-26 ms of CPU a request, 20-22
    with this tag (docs/benchmarks.md, the tenth round). The output is the
    loop's, byte for byte; the messages are the template's own, every value
    escaped."""
    progress_word = escape(gettext("fremdrift"))
    uncertain = (
        '<p class="uncertain small"><span class="uncertain-label">'
        f"{escape(gettext('Usikkert:'))}</span> "
    )
    items = []
    for update in updates:
        heading = gettext("Status per %(day)s") % {
            "day": escape(date_format(update.as_of))
        }
        progress = (
            f" · {progress_word} {escape(localize(update.progress))}&nbsp;%"
            if update.progress is not None
            else ""
        )
        badge = (
            health_badge(update.health, update.health_label) if update.health else ""
        )
        uncertainty = (
            f"{uncertain}{escape(update.uncertainty)}</p>" if update.uncertainty else ""
        )
        registered = ""
        if update.published_at:
            # As the template's date filter shows a moment: in local time.
            day = timezone.localtime(update.published_at)
            registered = (
                '<p class="small mb-0 text-body-secondary-strong">'
                + gettext("Registrert i Rusplan %(day)s.")
                % {"day": escape(date_format(day, "SHORT_DATE_FORMAT"))}
                + "</p>"
            )
        items.append(
            '\n      <li class="timeline-item">\n'
            f'        <h3 class="h6 mb-1">{heading}</h3>\n'
            f'        <p class="mb-1 small">{escape(str(update.phase_label))}'
            f"{progress} {badge}</p>\n"
            f'        <p class="mb-1">{linebreaksbr(update.summary, autoescape=True)}'
            f"{cite(citations, 'status_update', update.pk)}</p>\n"
            f"        {uncertainty}\n\n"
            f"        {registered}\n"
            "      </li>\n    "
        )
    return mark_safe("".join(items))  # noqa: S308 (every value escaped above)


@register.simple_tag(takes_context=True)
def partner_role_rows(context, roles, partner=None, show_plan: bool = False):
    """The rows of includes/partner_measure_table.html: a role each
    (selectors.partners.partner_roles(): with its measure, the measure's plan and
    the role's partner), with the measure, its plan (and the plan's municipality
    when the page is not one municipality's), the role (marked «via <unit>» when a
    unit has it), phase, assessment, progress and the date of its status; or one
    row saying there are none. Built here rather than by a template loop, as
    measure_table_rows(). The messages are the template's own; the values are
    escaped."""
    labels = {
        "plan": gettext("Plan"),
        "role": gettext("Rolle"),
        "phase": gettext("Fase"),
        "health": gettext("Vurdering"),
        "progress": gettext("Fremdrift"),
        "as_of": gettext("Status per"),
    }
    cell = {
        key: f'<span class="cell-label" aria-hidden="true">{escape(label)}</span>'
        for key, label in labels.items()
    }
    not_assessed = escape(gettext("Ikke vurdert"))
    one_municipality = bool(context.get("municipality"))
    rows = []
    for role in roles:
        measure = role.measure
        identifier = (
            f'<span class="measure-id">{escape(measure.identifier)}</span> '
            if measure.identifier
            else ""
        )
        url = escape(full_url(context, measure.get_absolute_url()))
        row = [
            '<tr role="row">\n      <th scope="row" role="rowheader" class="fw-normal">'
            f'{identifier}<a href="{url}">{escape(measure.title)}</a></th>'
        ]
        if show_plan:
            plan = measure.plan
            plan_url = escape(full_url(context, plan.get_absolute_url()))
            home = (
                ""
                if one_municipality
                else f' <span class="small">({escape(plan.municipality.name)})</span>'
            )
            row.append(
                f'<td role="cell">{cell["plan"]}<a href="{plan_url}">'
                f"{escape(plan.short_title or plan.title)}</a>{home}</td>"
            )
        via = ""
        if partner and role.partner_id != partner.pk:
            via = (
                ' <span class="d-block small">'
                + gettext("via %(unit)s") % {"unit": escape(role.partner.name)}
                + "</span>"
            )
        row.append(
            f'<td role="cell">{cell["role"]}'
            f"{escape(str(role.get_role_display()))}{via}</td>"
        )
        row.append(
            f'<td role="cell">{cell["phase"]}{escape(measure.status_label)}</td>'
        )
        badge = health_badge(measure.current_health, measure.health_label)
        row.append(f'<td role="cell">{cell["health"]}{badge}</td>')
        progress = measure.current_progress
        row.append(
            f'<td role="cell" class="progress-cell">{cell["progress"]}'
            + (
                f"{progress}&nbsp;%{progress_bar(progress)}"
                if progress is not None
                else not_assessed
            )
            + "</td>"
        )
        as_of = measure.current_as_of
        day = escape(date_format(as_of)) if as_of else "–"
        row.append(f'<td role="cell">{cell["as_of"]}{day}</td>\n    </tr>')
        rows.append("\n      ".join(row))
    if not rows:
        none = escape(gettext("Ingen tiltak."))
        rows.append(
            f'<tr role="row"><td role="cell" colspan="{7 if show_plan else 6}">'
            f"{none}</td></tr>"
        )
    return mark_safe("\n    ".join(rows))  # noqa: S308 (every text escaped above)


@register.simple_tag(takes_context=True)
def plan_rollup_rows(context, groups, partner=None) -> SafeString:
    """The rows of includes/plan_rollup_table.html: a plan each (PlanGroup) with
    its municipality when the page is not one municipality's, the name the partner
    had in the plan's time when it differs, the period, how many measures, their
    weighted progress and how many of them are assessed. Built here rather than
    by a template loop, as measure_table_rows(): a row took about 250 µs of
    template work, and a partner active across the country has a row for each of
    hundreds of plans. The messages are the template's own; the values are
    escaped."""
    labels = {
        "period": escape(gettext("Periode")),
        "measures": escape(gettext("Tiltak")),
        "progress": escape(gettext("Vektet fremdrift")),
        "assessed": escape(gettext("Tiltak med vurdert fremdrift")),
    }
    cell = {
        key: f'<span class="cell-label" aria-hidden="true">{label}</span>'
        for key, label in labels.items()
    }
    not_assessed = escape(gettext("Ikke vurdert"))
    # Translated once for the table, not once a row.
    named_then = gettext("I denne planen het partneren %(then)s (nå %(now)s).")
    assessed_of = gettext("%(assessed)s av %(total)s")
    one_municipality = bool(context.get("municipality"))
    rows = []
    for group in groups:
        plan, result = group.plan, group.rollup
        url = escape(full_url(context, plan.get_absolute_url()))
        heading = f'<a href="{url}">{escape(plan.title)}</a>'
        if not one_municipality:
            heading += f' <span class="small">({escape(plan.municipality.name)})</span>'
        if partner and group.name_then != partner.name:
            then = named_then % {
                "then": escape(group.name_then),
                "now": escape(partner.name),
            }
            heading += f'<br><span class="small">{then}</span>'
        progress = (
            f"{result.progress}&nbsp;%{progress_bar(result.progress)}"
            if result.progress is not None
            else not_assessed
        )
        assessed = assessed_of % {
            "assessed": result.assessed,
            "total": result.total,
        }
        rows.append(
            '<tr role="row">\n'
            f'      <th scope="row" role="rowheader" class="fw-normal">{heading}</th>\n'
            f'      <td role="cell">{cell["period"]}{escape(str(plan.period_label))}'
            "</td>\n"
            f'      <td role="cell" class="text-end">{cell["measures"]}{result.total}'
            "</td>\n"
            f'      <td role="cell" class="progress-cell">{cell["progress"]}{progress}'
            "</td>\n"
            f'      <td role="cell" class="text-end">{cell["assessed"]}'
            f"{escape(assessed)}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n    ".join(rows))  # noqa: S308 (every text escaped above)


@register.simple_tag(takes_context=True)
def status_change_items(context, changes, kommune: str) -> SafeString:
    """An <li> per change listed in a plan's summary (selectors.changes.Changes):
    the date of the new status, the linked measure and what changed in its phase,
    progress and assessment, or its first status. Built here rather than by a
    template loop, as measure_items(): a change took about 400 µs of template
    work. The messages are the template's own; the values are escaped."""
    not_assessed = escape(gettext("ikke vurdert"))

    def percent(progress) -> str:
        return f"{progress}&nbsp;%" if progress is not None else not_assessed

    items = []
    for change in changes.listed:
        measure, before, after = change.measure, change.before, change.after
        path = cached_reverse(
            "measures:measure-detail", kommune=kommune, slug=measure["slug"]
        )
        identifier = (
            f"{escape(measure['identifier'])} " if measure["identifier"] else ""
        )
        if before is None:
            what = gettext("første status: %(phase)s") % {
                "phase": escape(str(after.phase_label))
            }
            if after.progress is not None:
                what += f", {after.progress}&nbsp;%"
        else:
            parts = []
            if change.phase_changed:
                parts.append(
                    gettext("fase %(before)s → %(after)s")
                    % {
                        "before": escape(str(before.phase_label)),
                        "after": escape(str(after.phase_label)),
                    }
                )
            if change.progress_changed:
                parts.append(
                    f"{escape(gettext('fremdrift'))} {percent(before.progress)} → "
                    f"{percent(after.progress)}"
                )
            if change.health_changed:
                parts.append(
                    f"{escape(gettext('vurdering'))} "
                    f"{escape(str(before.health_label)) or not_assessed} → "
                    f"{escape(str(after.health_label)) or not_assessed}"
                )
            what = ", ".join(parts)
        day = after.as_of
        items.append(
            f'<li><time datetime="{day:%Y-%m-%d}">{day:%d.%m.%Y}</time> – '
            f'<a href="{escape(full_url(context, path))}">{identifier}'
            f"{escape(measure['title'])}</a>:\n      {what}</li>"
        )
    return mark_safe("\n  ".join(items))  # noqa: S308 (every text escaped above)


@register.simple_tag(takes_context=True)
def measure_items(context, rows, kommune: str) -> SafeString:
    """An <li> per measure row (selectors.plans.plan_measure_rows()): its linked
    title, phase, progress and assessment, as the plan page's goal tree lists them.
    A tag rather than a template loop: a row took 150 µs of template work, a
    tenth of a median plan page's rendering (docs/benchmarks.md)."""
    items = []
    for row in rows:
        path = cached_reverse(
            "measures:measure-detail", kommune=kommune, slug=row["slug"]
        )
        identifier = f"{escape(row['identifier'])} " if row["identifier"] else ""
        progress = row["current_progress"]
        percent = f", {escape(str(progress))}&nbsp;%" if progress is not None else ""
        badge = health_badge(row["current_health"], row["health_label"])
        items.append(
            f'<li><a href="{escape(full_url(context, path))}">{identifier}'
            f'{escape(row["title"])}</a> <span class="small">– '
            f"{escape(str(row['phase_label']))}{percent}</span> {badge}</li>"
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every text escaped above)


@register.simple_tag(takes_context=True)
def measure_table_rows(
    context, measures, show_plan: bool = False, show_municipality: bool = False
) -> SafeString:
    """The rows of includes/measure_table.html: a measure each (from
    selectors.public.measure_list_queryset(), lead roles prefetched), with its
    lead partner by the name it had in the plan's time, phase, assessment,
    progress and the date of its status; or one row saying none matched.

    Built here rather than by a template loop, as municipality_plan_rows(): a row
    took about 300 µs of template work, a fifth of a plan page's time (25 rows:
    docs/benchmarks.md). Every text is escaped with html.escape(); the messages
    are the template's own."""
    labels = {
        "municipality": gettext("Kommune"),
        "plan": gettext("Plan"),
        "lead": gettext("Ansvarlig"),
        "phase": gettext("Fase"),
        "health": gettext("Vurdering"),
        "progress": gettext("Fremdrift"),
        "as_of": gettext("Status per"),
    }
    cell = {
        key: f'<td role="cell"><span class="cell-label" aria-hidden="true">'
        f"{escape(label)}</span>"
        for key, label in labels.items()
    }
    not_assessed = (
        '<span class="text-body-secondary-strong">'
        f"{escape(gettext('Ikke vurdert'))}</span>"
    )
    rows = []
    for measure in measures:
        identifier = (
            f'<span class="measure-id">{escape(measure.identifier)}</span> '
            if measure.identifier
            else ""
        )
        url = escape(full_url(context, measure.get_absolute_url()))
        row = [
            '<tr role="row">\n      <th scope="row" role="rowheader" class="fw-normal">'
            f'{identifier}<a href="{url}">{escape(measure.title)}</a></th>'
        ]
        plan = measure.plan
        if show_municipality:
            home = escape(full_url(context, plan.municipality.get_absolute_url()))
            row.append(
                f'{cell["municipality"]}<a href="{home}">'
                f"{escape(plan.municipality.name)}</a></td>"
            )
        if show_plan:
            plan_url = escape(full_url(context, plan.get_absolute_url()))
            row.append(
                f'{cell["plan"]}<a href="{plan_url}">'
                f"{escape(plan.short_title or plan.title)}</a></td>"
            )
        row.append(f"{cell['lead']}{_lead_partners(context, measure)}</td>")
        row.append(f"{cell['phase']}{escape(measure.status_label)}</td>")
        badge = health_badge(measure.current_health, measure.health_label)
        row.append(f"{cell['health']}{badge}</td>")
        progress = measure.current_progress
        row.append(
            cell["progress"].replace('role="cell"', 'role="cell" class="progress-cell"')
            + (
                f"{progress}&nbsp;%{progress_bar(progress)}"
                if progress is not None
                else not_assessed
            )
            + "</td>"
        )
        as_of = measure.current_as_of
        day = escape(date_format(as_of, "SHORT_DATE_FORMAT")) if as_of else "–"
        row.append(f"{cell['as_of']}{day}</td>\n    </tr>")
        rows.append("\n      ".join(row))
    if not rows:
        columns = 8 if show_municipality else 7 if show_plan else 6
        none = escape(gettext("Ingen tiltak passer til filtrene."))
        rows.append(
            f'<tr role="row"><td role="cell" colspan="{columns}">{none}</td></tr>'
        )
    return mark_safe("\n  ".join(rows))  # noqa: S308 (every text escaped above)


def _lead_partners(context, measure) -> str:
    """The measure's lead partners, each by its name on the plan's reference
    date, with today's name beside a former one; "–" when it has none."""
    roles = measure.lead_roles
    if not roles:
        return "–"
    day = plan_reference_date(measure.plan)
    links = []
    for role in roles:
        partner = role.partner
        then = partner.name_on(day)
        url = escape(full_url(context, partner_path(partner, measure.municipality)))
        link = f'<a href="{url}">{escape(then)}</a>'
        if then != partner.name:
            now = gettext("nå %(name)s") % {"name": partner.name}
            link += f' <span class="small">({escape(now)})</span>'
        links.append(link)
    return "".join(links)


@register.simple_tag
def progress_bar(percent: int | None) -> SafeString:
    """The bar beside a progress figure (the figure itself is in the text: the bar
    is hidden from screen readers). A tag for the same reason as health_badge."""
    fill = (
        '<rect class="progress-fill" x="0" y="0" '
        f'width="{escape(str(percent))}" height="6"/>'
        if percent is not None
        else ""
    )
    return mark_safe(  # noqa: S308 (the one value escaped)
        '<svg class="progress-svg" viewBox="0 0 100 6" preserveAspectRatio="none"'
        ' width="100%" height="12" aria-hidden="true" focusable="false">'
        f'<rect class="progress-track" x="0" y="0" width="100" height="6"/>{fill}</svg>'
    )


@register.filter
def measure_count(count: int) -> str:
    """ "12 tiltak", the message {% blocktranslate count %} gives, at a fraction
    of its cost in lists of hundreds (the home page's partners and districts)."""
    return ngettext("%(counter)s tiltak", "%(counter)s tiltak", count) % {
        "counter": localize(count)
    }


@register.filter
def name_on(partner: Partner, day: datetime.date | None) -> str:
    """The partner's name in force on `day` (prefetch former_names in lists)."""
    return partner.name_on(day)


@register.filter
def reference_date(plan) -> datetime.date:
    return plan_reference_date(plan)


@register.filter
def phase_count(rollup, phase: str) -> int:
    return rollup.phase_count(phase)


@register.filter
def report_default_day(plan) -> datetime.date:
    """The day a plan's report opens on: today, or a finished plan's last day."""
    return default_report_date(plan, timezone.localdate())


@register.simple_tag
def cite(index, kind: str, pk, field: str = "", label: str = "") -> SafeString:
    """Numbered links to the sources of one fact: {% cite citations "measure" m.pk %}
    or, for one detail of it, {% cite citations "plan" plan.pk "status" %}. With a
    label, a line of its own ("Kilde: [1] [2]"), left out when there is none.

    Built here, not by an included template: the goal tree calls it for every goal
    (goal_node()). The trailing newline is the one the template had."""
    refs = index.cite(kind, pk, field) if index is not None else []
    if not refs:
        return mark_safe("\n")
    links = "".join(
        f'<a class="cite" href="#kilde-{ref.number}" aria-label="'
        + escape(
            gettext("Kilde %(number)s: %(publisher)s")
            % {"number": ref.number, "publisher": ref.source.publisher}
        )
        + f'">[{ref.number}]</a>'
        for ref in refs
    )
    html = f'<span class="citations">{links}</span>'
    if label:
        html = f'<p class="small source-line">{escape(str(label))} {html}</p>'
    return mark_safe(html + "\n")  # noqa: S308 (every text escaped above)


@register.simple_tag
def rollup_progress(rollup) -> SafeString:
    """A roll-up's progress: the bar is decoration, the sentence carries the facts.
    A figure that covers too little of the measures (Rollup.covers_enough) is not
    shown as the whole set's progress. Built here rather than by a template: the
    plan page shows one for every goal (goal_node())."""
    numbers = {"assessed": rollup.assessed, "total": rollup.total}
    if rollup.progress is not None and rollup.covers_enough:
        sentence = gettext(
            "vektet fremdrift – vurdert for %(assessed)s av %(total)s tiltak"
        )
        html = (
            '<p class="rollup-figure mb-1"><span class="rollup-percent">'
            f"{rollup.progress}&nbsp;%</span> {escape(sentence % numbers)}</p>\n"
            f"    {progress_bar(rollup.progress)}"
        )
    elif rollup.progress is not None:
        too_few = gettext(
            "Fremdriften er vurdert for bare %(assessed)s av %(total)s tiltak: for "
            "få til å vise en samlet fremdrift."
        )
        # The message carries its own &nbsp; (as {% blocktranslate %} gave it).
        assessed = gettext(
            "For de vurderte tiltakene er den vektede fremdriften %(progress)s&nbsp;%%."
        ) % {"progress": rollup.progress}
        html = (
            f'<p class="rollup-figure mb-1">{escape(too_few % numbers)}</p>\n'
            f'    <p class="small text-body-secondary-strong mb-0">{assessed}</p>'
        )
    else:
        none = escape(gettext("Ingen vurdert fremdrift ennå"))
        html = f'<p class="rollup-figure mb-1">{none}</p>'
    if rollup.without_status:
        counted = ngettext(
            "%(counter)s av %(total)s tiltak har ingen status registrert.",
            "%(counter)s av %(total)s tiltak har ingen status registrert.",
            rollup.without_status,
        ) % {"counter": rollup.without_status, "total": rollup.total}
        html += (
            '\n  <p class="small text-body-secondary-strong mb-0">'
            f"{escape(counted)}</p>"
        )
    return mark_safe(  # noqa: S308 (every text escaped above)
        f'<div class="rollup-progress">\n  {html}\n</div>\n'
    )


@register.simple_tag(takes_context=True)
def goal_node(context, node) -> SafeString:
    """One goal of the plan page's goal tree (selectors.plans.GoalNode) with its
    roll-up, phases, sources, uncertainty, its own measures (when the context's
    goal_tree_lists_measures) and the goals below it, at any depth.

    Built here rather than by a recursive include: the include, its roll-up and
    its sources cost about 300 µs a goal, a tenth of a median plan page
    (docs/benchmarks.md). Each goal's sources are numbered in the order the
    template numbered them: the goal before the goals below it."""
    goal = node.goal
    slug = escape(goal.slug)
    level = node.heading_level
    parts = [
        f'<section class="goal goal-level-{node.level}" id="mal-{slug}" '
        f'aria-labelledby="mal-{slug}-title">',
        f'<h{level} id="mal-{slug}-title" class="goal-title">{escape(goal.title)}'
        f"</h{level}>",
    ]
    if goal.description:
        parts.append(f"<p>{linebreaksbr(goal.description, autoescape=True)}</p>")
    parts.append(rollup_progress(node.rollup))
    if node.rollup.total:
        phases = "".join(
            f'<li class="list-inline-item">{escape(str(share.label))}: '
            f"{share.count}</li>"
            for share in node.rollup.phases
            if share.count
        )
        show = escape(
            gettext("Vis tiltakene for «%(title)s» i tabellen") % {"title": goal.title}
        )
        parts.append(
            f'<ul class="list-inline small mb-1 phase-counts">{phases}</ul>\n'
            f'<p class="small mb-2 screen-only"><a href="?goal={goal.pk}#tiltak">'
            f"{show}</a></p>"
        )
    parts.append(
        cite(context.get("citations"), "goal", goal.pk, label=gettext("Kilde:"))
    )
    if goal.uncertainty:
        label = escape(gettext("Usikkert:"))
        parts.append(
            f'<p class="uncertain small"><span class="uncertain-label">{label}'
            f"</span> {escape(goal.uncertainty)}</p>"
        )
    plan = context.get("plan")
    if node.measures and plan is not None and context.get("goal_tree_lists_measures"):
        items = measure_items(context, node.measures, plan.municipality.slug)
        parts.append(f'<ul class="goal-measures">\n{items}\n</ul>')
    parts.extend(goal_node(context, child) for child in node.children)
    parts.append("</section>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every text escaped above)


@register.simple_tag
def measure_link(measure, identifier: bool = True) -> str:
    """The measure's title (with its identifier), linked to its public page, or
    unlinked when it has none: a training plan's measures are never public, and a
    link there answered 404 on Mine tiltak and in the review queue."""
    title = format_html(
        "{}{}",
        f"{measure.identifier} " if identifier and measure.identifier else "",
        measure.title,
    )
    if not measure.plan.is_public:
        return title
    return format_html('<a href="{}">{}</a>', measure.get_absolute_url(), title)


@register.filter
def partner_path(partner, municipality) -> str:
    """A partner's page as seen from `municipality` (its measures there:
    /bergen/partnere/<partner>/), or the partner's page across municipalities
    when the page is not one municipality's (`municipality` is None)."""
    if municipality:
        return cached_reverse(
            "measures:partner-detail", kommune=municipality.slug, slug=partner.slug
        )
    return partner.get_absolute_url()
