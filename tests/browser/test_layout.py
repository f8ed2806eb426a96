"""Every public page reads on a 375 px phone and at 1280 px: the page never scrolls
sideways, no word is broken across lines and no table cell is narrower than its
longest word (docs/decisions.md, "Tables on a phone").

The checks run in the page, on what Chromium laid out: a word whose Range has
client rects on more than one line is broken; a cell whose content box is
narrower than its longest word, or under 40 px with more than one short token, is
a sliver. URLs may break (they are not words): the test skips elements marked as
URLs (class `source-url`, `report-url` or `url`), URLs and paths written as text
(http://..., /api/..., ?format=json), SVG charts, and visually hidden text (its
1 px box "breaks" every word by design). A line may also break after a hyphen,
dash or slash: the text offers that break itself ("2019–|2022")."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.browser

VIEWPORTS = [320, 375, 1280]

# Every named URL that gives a public HTML page. The test below fails when a URL
# name is neither here nor in NOT_PUBLIC_PAGES, so a new public page is not left
# out of the layout check.
PUBLIC_PAGE_NAMES = {
    "home",
    "municipality-home",
    "measures:national-search",
    "measures:partner-national",
    "accessibility",
    "login",
    "password_reset",
    "measures:plan-detail",
    "measures:plan-sources",
    "measures:plan-indicators",
    "measures:plan-report",
    "measures:source-list",
    "measures:measure-list",
    "measures:measure-detail",
    "measures:partner-detail",
    "measures:district-detail",
    "api:docs",
}

# Named URLs that are not public HTML pages, and why.
NOT_PUBLIC_PAGES = {
    "healthz": "a plain-text health check",
    "set_language": "a POST that redirects (old forms; the switcher is links)",
    "logout": "a POST that redirects",
    "password_change": "for logged-in users",
    "password_change_done": "for logged-in users",
    "password_reset_done": "a message after a form, no tables",
    "password_reset_confirm": "needs a token from an e-mail",
    "password_reset_complete": "a message after a form, no tables",
    "second_factor_verify": "a login's second step (browser/test_second_factor.py)",
    "second_factor_enrol": "a login's second step (browser/test_second_factor.py)",
    "recovery_codes": "for logged-in users (browser/test_second_factor.py)",
    "measures:plan-report-pdf": "a PDF (tests/measures/reporting/test_pdf.py)",
    "measures:old-address": "a 301 to the page under Bergen's address",
}
# Whole families that are not public HTML pages.
NOT_PUBLIC_PREFIXES = {
    "admin:": "the admin, behind login",
    "measures:export-": "CSV/XLSX files",
    "measures:plan-export-": "CSV/XLSX files",
}


def _url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def _workflow_names() -> set[str]:
    from measures.workflow import urls as workflow_urls

    # The workflow leaf's pages are all behind login, also those under a
    # municipality's address (the measure-update form).
    patterns = [*workflow_urls.urlpatterns, *workflow_urls.municipal_patterns]
    return {f"measures:{p.name}" for p in patterns if p.name}


def test_the_layout_check_covers_every_public_page():
    names = _url_names()
    # The open-data API answers JSON and YAML; only its documentation is a page.
    api_data = {name for name in names if name.startswith("api:")} - {"api:docs"}
    skipped = set(NOT_PUBLIC_PAGES) | _workflow_names() | api_data
    unchecked = {
        name
        for name in names - PUBLIC_PAGE_NAMES - skipped
        if not name.startswith(tuple(NOT_PUBLIC_PREFIXES))
    }

    assert names >= PUBLIC_PAGE_NAMES, PUBLIC_PAGE_NAMES - names
    assert not unchecked, (
        f"URL names neither in PUBLIC_PAGE_NAMES nor NOT_PUBLIC_PAGES: {unchecked}"
    )


def _public_paths() -> list[tuple[str, str]]:
    """(URL name, path) for every public page of the Bergen data and the second
    municipality's (`askoy_data`)."""
    from django.urls import reverse

    from measures.models import BudgetLine, District, Indicator, Measure, Plan
    from partners.models import Municipality

    bergen = {"kommune": "bergen"}
    paths = [
        ("home", reverse("home")),
        # Every municipality's measures, 50 a page, then a search by a word.
        ("measures:national-search", reverse("measures:national-search")),
        ("measures:national-search", reverse("measures:national-search") + "?q=rus"),
        ("accessibility", reverse("accessibility")),
        ("login", reverse("login")),
        ("password_reset", reverse("password_reset")),
        ("api:docs", reverse("api:docs")),
    ]
    for municipality in Municipality.objects.order_by("pk"):
        kommune = {"kommune": municipality.slug}
        paths.append(
            ("municipality-home", reverse("municipality-home", kwargs=kommune))
        )
        paths.append(
            ("measures:source-list", reverse("measures:source-list", kwargs=kommune))
        )
        measure_list = reverse("measures:measure-list", kwargs=kommune)
        paths.append(("measures:measure-list", measure_list))
    paths.append(
        (
            "measures:measure-list",
            reverse("measures:measure-list", kwargs=bergen) + "?page=2",
        )
    )
    # (municipality slug, partner) for every partner page in a municipality.
    partners = set()
    for plan in Plan.objects.select_related("owner", "municipality").order_by("pk"):
        for name in ("plan-detail", "plan-sources", "plan-indicators", "plan-report"):
            paths.append(
                (
                    f"measures:{name}",
                    reverse(f"measures:{name}", kwargs=plan.url_kwargs()),
                )
            )
        partners.add((plan.municipality.slug, plan.owner))
    # A measure of each plan, and every measure with a budget or indicators:
    # they have the widest tables.
    wide = set(BudgetLine.objects.values_list("measure_id", flat=True))
    wide |= set(
        Indicator.objects.exclude(measure=None).values_list("measure_id", flat=True)
    )
    measures = Measure.objects.filter(pk__in=wide) | Measure.objects.filter(
        pk__in=[m.pk for m in (p.measures.first() for p in Plan.objects.all()) if m]
    )
    measures = measures.select_related("municipality").prefetch_related("partners")
    for measure in measures.order_by("pk"):
        paths.append(("measures:measure-detail", measure.get_absolute_url()))
        partners.update((measure.municipality.slug, p) for p in measure.partners.all())
    for kommune, partner in sorted(partners, key=lambda pair: (pair[1].pk, pair[0])):
        path = reverse(
            "measures:partner-detail", kwargs={"kommune": kommune, "slug": partner.slug}
        )
        paths.append(("measures:partner-detail", path))
    # The regional partners' pages across every municipality they work in.
    for partner in sorted(
        {p for _, p in partners if p.municipality_id is None}, key=lambda p: p.pk
    ):
        paths.append(("measures:partner-national", partner.get_absolute_url()))
    for district in District.objects.select_related("municipality").order_by("pk"):
        paths.append(("measures:district-detail", district.get_absolute_url()))
    return paths


# Runs in the page. Returns the problems found, each a short sentence naming the
# word, cell or element, so that a failure says what to fix.
LAYOUT_CHECK = r"""() => {
  const problems = [];
  const width = window.innerWidth;
  const root = document.documentElement;
  const SKIP = 'svg, script, style, noscript, template, .visually-hidden, '
    + '.visually-hidden-focusable:not(:focus), .source-url, .report-url, .url';
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.classList.length) name += '.' + [...el.classList].join('.');
    return name;
  };

  if (root.scrollWidth > width) {
    // Name the outermost elements that stick out, outside any scroll region.
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
      const region = el.closest('.table-responsive');
      if (region && region !== el) return false;
      const box = el.getBoundingClientRect();
      return box.width && box.right > width + 1;
    }).filter((el, _, all) => !all.includes(el.parentElement)).slice(0, 5);
    problems.push(`page scrolls sideways: ${root.scrollWidth} px in ${width} px; `
      + `too wide: ${wide.map(describe).join(', ') || '?'}`);
  }

  // Words: runs of non-space up to a hyphen, dash or slash (a line may break
  // after those; that is where the text itself allows it, not mid-word). A URL or
  // path written as text (https://..., /api/v1/..., ?format=json) is not a word.
  const STRING = /\S+/g;
  const URLISH = /^[(«"]?(\w+:\/\/|www\.|\/|\?)/;
  const WORD = /[^\s\-\u2010\u2013\u2014\/]+[\-\u2010\u2013\u2014\/]*/g;
  const lines = (rects) => {
    const tops = [];
    for (const rect of rects) {
      if (!rect.width) continue;
      if (!tops.some((top) => Math.abs(top - rect.top) < rect.height / 2)) {
        tops.push(rect.top);
      }
    }
    return tops.length;
  };
  const wordWidth = (rects) => [...rects].reduce((sum, rect) => sum + rect.width, 0);
  const range = document.createRange();
  const longest = new Map();  // cell -> [word, width]
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(SKIP) || !parent.getClientRects().length) continue;
    const cell = parent.closest('td, th');
    for (const string of node.data.matchAll(STRING)) {
      if (URLISH.test(string[0])) continue;
      for (const match of string[0].matchAll(WORD)) {
        const start = string.index + match.index;
        range.setStart(node, start);
        range.setEnd(node, start + match[0].length);
        const rects = range.getClientRects();
        if (lines(rects) > 1) {
          const where = describe(parent);
          problems.push(`word broken across lines: «${match[0]}» in ${where}`);
        }
        if (cell) {
          const best = longest.get(cell);
          const w = wordWidth(rects);
          if (!best || w > best[1]) longest.set(cell, [match[0], w]);
        }
      }
    }
  }

  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.closest(SKIP) || !cell.getClientRects().length) continue;
    const [word, wordPx] = longest.get(cell) || ['', 0];
    if (!word) continue;  // empty, or only a chart or a URL
    const style = getComputedStyle(cell);
    const content = cell.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    const text = cell.textContent.trim().replace(/\s+/g, ' ');
    const quoted = `«${text.slice(0, 60)}»`;
    if (content + 0.5 < wordPx) {
      problems.push(`cell narrower than its longest word «${word}» `
        + `(${Math.round(content)} px < ${Math.round(wordPx)} px): ${quoted}`);
    } else if (cell.offsetWidth < 40 && text.split(' ').length > 1) {
      problems.push(`cell under 40 px (${cell.offsetWidth} px): ${quoted}`);
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_never_scroll_sideways_nor_break_words(
    browser, live_server, bergen_data, askoy_data, viewport
):
    context = browser.new_context(
        viewport={"width": viewport, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    visited, failures = set(), []
    try:
        for name, path in _public_paths():
            response = page.goto(live_server.url + path)
            assert response.ok, f"{path} answered {response.status}"
            visited.add(name)
            problems = page.evaluate(LAYOUT_CHECK)
            failures += [f"{path} at {viewport} px: {problem}" for problem in problems]
    finally:
        context.close()

    assert visited == PUBLIC_PAGE_NAMES, f"not visited: {PUBLIC_PAGE_NAMES - visited}"
    assert not failures, f"{len(failures)} layout problems:\n" + "\n".join(
        failures[:60]
    )


# Runs in the page in print media: the tables print as tables, in full.
PRINT_CHECK = r"""() => {
  const problems = [];
  for (const table of document.querySelectorAll('.stacked-table')) {
    const display = getComputedStyle(table).display;
    if (display !== 'table') problems.push(`stacked table printed as ${display}`);
    const head = table.querySelector('thead');
    if (head && head.getBoundingClientRect().height < 10) {
      problems.push('header row of a stacked table hidden in print');
    }
  }
  for (const label of document.querySelectorAll('.cell-label')) {
    if (label.getClientRects().length) problems.push('cell label shown in print');
  }
  for (const region of document.querySelectorAll('.table-responsive')) {
    const style = getComputedStyle(region);
    if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
      const name = region.getAttribute('aria-label')
        || region.getAttribute('aria-labelledby');
      problems.push(`region clips its table in print: ${name}`);
    }
  }
  return problems;
}"""


def test_printed_pages_show_real_tables_in_full(browser, live_server, bergen_data):
    from django.urls import reverse

    from measures.models import Plan

    plan = Plan.objects.select_related("municipality", "owner").order_by("pk").first()
    kommune = {"kommune": plan.municipality.slug}
    paths = [
        reverse("measures:measure-list", kwargs=kommune),
        plan.get_absolute_url(),
        reverse("measures:plan-report", kwargs=plan.url_kwargs()),
        reverse("measures:partner-detail", kwargs={**kommune, "slug": plan.owner.slug}),
    ]
    # A phone's width: print must not take the phone's stacked layout.
    context = browser.new_context(viewport={"width": 375, "height": 900})
    page = context.new_page()
    failures = []
    try:
        page.emulate_media(media="print")
        for path in paths:
            page.goto(live_server.url + path)
            assert page.locator(".stacked-table, .table-responsive").count()
            failures += [f"{path}: {p}" for p in page.evaluate(PRINT_CHECK)]
            failures += [
                f"{path}: {p}"
                for p in page.evaluate(LAYOUT_CHECK)
                if p.startswith("word broken")
            ]
    finally:
        context.close()

    assert not failures, "\n".join(failures[:40])


PAPER_CHECK = r"""() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    const page = document.documentElement.scrollWidth;
    problems.push(`page ${page} px on ${width} px paper`);
  }
  for (const table of document.querySelectorAll('table')) {
    const right = table.getBoundingClientRect().right;
    if (right > width + 1) {
      const name = table.caption?.textContent.trim();
      problems.push(`table past the paper (${Math.round(right)} px): ${name}`);
    }
    for (const link of table.querySelectorAll('a')) {
      if (getComputedStyle(link, '::after').content !== 'none') {
        const text = link.textContent.trim();
        problems.push(`address printed after a link in a table: ${text}`);
        break;
      }
    }
  }
  for (const details of document.querySelectorAll('details')) {
    const content = details.querySelector(':scope > :not(summary)');
    if (content && !content.getClientRects().length) {
      const name = details.querySelector('summary')?.textContent.trim();
      problems.push(`folded section not printed: ${name}`);
    }
  }
  return problems;
}"""


def test_printed_plan_pages_fit_the_paper_and_unfold(browser, live_server, bergen_data):
    """A4 at 96 dpi is about 800 px wide: every Bergen plan page prints within it,
    its folded sections open and its tables free of link addresses."""
    from measures.selectors.public import public_plans

    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    failures = []
    try:
        page.emulate_media(media="print")
        for plan in public_plans().order_by("pk"):
            page.goto(live_server.url + plan.get_absolute_url())
            assert page.locator("details").count(), plan.slug
            failures += [f"{plan.slug}: {p}" for p in page.evaluate(PAPER_CHECK)]
    finally:
        context.close()

    assert not failures, "\n".join(failures[:40])


def test_scroll_regions_take_the_keyboard_focus_with_a_visible_outline(
    page, live_server, bergen_data
):
    from django.urls import reverse

    from measures.models import Plan

    plan = Plan.objects.order_by("pk").first()
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(
        live_server.url + reverse("measures:plan-report", kwargs=plan.url_kwargs())
    )
    region = page.locator(".table-responsive").first

    for _ in range(200):  # Tab through the page until the region has the focus
        page.keyboard.press("Tab")
        if region.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first scroll region")
    outline = region.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] == "solid" and outline[1] >= 2, outline
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")


def test_stacked_rows_keep_table_semantics_for_screen_readers(
    page, live_server, bergen_data
):
    from django.urls import reverse

    from tests.browser.axe import assert_no_axe_violations

    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(
        live_server.url + reverse("measures:measure-list", kwargs={"kommune": "bergen"})
    )
    table = page.locator("table.stacked-table").first
    assert table.evaluate("el => getComputedStyle(el).display") == "block"
    assert page.locator(".cell-label").first.is_visible()

    assert_no_axe_violations(page)
    # Chromium's own accessibility tree, as a screen reader gets it: the column
    # headers are there (visually hidden, not display:none) and the cells are cells.
    # Chromium keeps table semantics under display:block by itself; the templates'
    # ARIA table roles are for browsers that drop them (WebKit).
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    roles = [str(node.get("role", {}).get("value")).lower() for node in nodes]
    headers = {
        node.get("name", {}).get("value")
        for node, role in zip(nodes, roles, strict=True)
        if role == "columnheader"
    }
    assert "table" in roles
    assert {"Tiltak", "Fase", "Vurdering", "Status per"} <= headers, headers
    assert roles.count("rowheader") >= 10
    assert roles.count("cell") >= 50
