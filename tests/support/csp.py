"""The Content-Security-Policy checks: the strict header, and what it would block."""

from html.parser import HTMLParser


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return dict(parts)


def assert_strict_csp(response):
    policy = _csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


class _InlineCodeFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems.extend(
            f"{name} handler on <{tag}>" for name in attributes if name.startswith("on")
        )
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and "src" not in attributes:
            # JSON data blocks are not executed, so CSP does not apply to them.
            self._in_inline_script = attributes.get("type") != "application/json"
        for name in ("href", "src", "action"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(response) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(response.content.decode())
    return finder.problems
