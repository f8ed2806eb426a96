"""HTML to PDF with WeasyPrint, reading stylesheets from disk, never the network.

WeasyPrint fetches every stylesheet and image the page links to. A fetch over HTTP
from inside a request would call the site itself (slow, and a deadlock on a server
with one worker) or, with a hostile URL, another host. So the fetcher here answers
the site's static URLs from the static files on disk (the collected files in
STATIC_ROOT, else the staticfiles finders, as in development and tests), passes
data: URLs through, and refuses everything else.

WeasyPrint draws an inline <svg> as an image that the page's stylesheets do not
reach, so the charts (coloured by CSS classes, as the CSP wants) would come out
black. Each <svg> of the page therefore gets the site's stylesheet in a <style> of
its own, with custom properties resolved (WeasyPrint's SVG has no var()). This
happens only on the way into WeasyPrint: the page a browser gets is unchanged.

The PDF is a public document under the same accessibility law as the pages, so it
is tagged PDF/UA-1: WeasyPrint's "pdf/ua-1" variant turns on its structure tags
(headings, paragraphs, lists, tables in the order of the HTML), marks the file as
tagged and tells readers to show the <title> rather than the file name. The title
and the language come from the page's <title> and <html lang>.
"""

import html as html_lib
import mimetypes
import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFileFetcher(URLFetcher):
    """Resolves `<base_url>/static/...` to files; refuses other URLs."""

    def __init__(self, base_url: str):
        super().__init__(allowed_protocols=("http", "https", "data"))
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.static_prefix):
            raise ValueError(f"Not a static file of this site: {url}")
        path = self.static_path(unquote(urlsplit(url).path))
        if path is None:
            raise FileNotFoundError(url)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        # WeasyPrint closes the file when it has read it.
        return URLFetcherResponse(
            url, open(path, "rb"), headers={"Content-Type": content_type}
        )

    def static_path(self, url_path: str) -> str | None:
        name = url_path.removeprefix(urlsplit(self.static_prefix).path)
        name = posixpath.normpath(name).lstrip("/")
        if name.startswith("..") or not name or name == ".":
            return None
        # The source files first (development and tests, where STATIC_ROOT may
        # hold an old collectstatic); then the collected files, which alone know
        # the hashed names that production's {% static %} gives.
        found = finders.find(name)
        if isinstance(found, str):
            return found
        try:
            if staticfiles_storage.exists(name):
                return staticfiles_storage.path(name)
        except NotImplementedError:  # a storage with no local paths
            pass
        return None


# Tagged PDF for assistive technology (see the module docstring).
PDF_VARIANT = "pdf/ua-1"

# The site stylesheet whose rules colour the charts.
CHART_STYLESHEET = "css/rusplan.css"
_SVG = re.compile(r"(<svg\b[^>]*>)(.*?</svg>)", re.DOTALL)
_CLASS = re.compile(r'\bclass="([^"]*)"')
_SELECTOR_CLASS = re.compile(r"\.([\w-]+)")
_CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;}]+)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# Rules for what the charts draw: only these go into each <svg> (WeasyPrint parses
# the style of every chart anew, and the whole stylesheet would cost it seconds).
# SVG paint properties mark them, and the chart text.
_SVG_PROPERTY = re.compile(r"(^|[;\s])(fill|stroke[a-z-]*)\s*:")
_SVG_TEXT = re.compile(r"(^|\s)text$")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _svg_rules(css: str) -> list[tuple[str, str]]:
    """(selector, rule) for the rules of `css` that style chart elements, with every
    var(--x) replaced by the value it is given in `css` (the site sets them once,
    on :root)."""
    css = _COMMENT.sub("", css)
    values = {name: value.strip() for name, value in _CUSTOM_PROPERTY.findall(css)}
    return [
        (
            selector.strip(),
            _VAR.sub(
                lambda match: values.get(match[1], match[0]),
                f"{selector.strip()} {{{body.strip()}}}",
            ),
        )
        for selector, body in _RULE.findall(css)
        if "@" not in selector
        and (_SVG_PROPERTY.search(body) or _SVG_TEXT.search(selector.strip()))
    ]


def svg_stylesheet(css: str) -> str:
    """The rules of `css` that style chart elements (see _svg_rules)."""
    return "\n".join(rule for _selector, rule in _svg_rules(css))


def _rules_for(svg: str, rules: list[tuple[str, str]]) -> str:
    """The rules a chart can use: those whose selector names no class, or a class
    the chart has. WeasyPrint parses every chart's <style> anew, and a report draws
    about a hundred charts: the rules of the other charts cost it a second."""
    classes = set()
    for value in _CLASS.findall(svg):
        classes.update(value.split())
    return "\n".join(
        rule
        for selector, rule in rules
        if not (named := set(_SELECTOR_CLASS.findall(selector))) or named & classes
    )


def style_svgs(html: str, css: str) -> str:
    """Put the chart rules of `css` into a <style> at the start of every <svg> in
    `html`, each chart with the rules it can use."""
    rules = _svg_rules(css)

    def styled(match: re.Match) -> str:
        style = html_lib.escape(_rules_for(match[0], rules), quote=False)
        return match[1] + "<style>" + style + "</style>" + match[2]

    return _SVG.sub(styled, html)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """Render `html` (a page of this site, whose relative links resolve against
    `base_url`) to PDF bytes."""
    fetcher = StaticFileFetcher(base_url)
    path = finders.find(CHART_STYLESHEET)
    if isinstance(path, str):
        with open(path, encoding="utf-8") as stylesheet:
            html = style_svgs(html, stylesheet.read())
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    # The variant implies pdf_tags=True in WeasyPrint 70; said here as well, so a
    # WeasyPrint that changed its defaults could not silently drop the tags.
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
