"""The forms of a page as a browser sends them: what a person would submit
without changing anything, and which of the fields take typed text."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Input types a person types text into (an <input> with no type is text).
TEXT_TYPES = {"text", "search", "email", "url", "tel", ""}


@dataclass
class HtmlForm:
    action: str
    attrs: dict
    # (name, value) in page order, as a browser would send them.
    data: list = field(default_factory=list)
    # Names of the visible fields that take typed text (inputs and textareas).
    text_fields: list = field(default_factory=list)

    def post_data(self, **overrides) -> dict:
        """The data as a dict of lists (Django's test client sends each value),
        with `overrides` replacing a field's values."""
        result: dict = {}
        for name, value in self.data:
            result.setdefault(name, []).append(value)
        for name, value in overrides.items():
            result[name] = [value]
        return result


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.form: HtmlForm | None = None
        self.select: tuple[str, bool, list] | None = None  # name, multiple, options
        self.option: list | None = None  # [value, selected, text]
        self.textarea: list | None = None  # [name, text]

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.form = HtmlForm(action=attrs.get("action", ""), attrs=attrs)
            self.forms.append(self.form)
            return
        if self.form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.form.data.append((name, attrs.get("value", "on" if kind else "")))
            if kind in TEXT_TYPES and "__prefix__" not in name:
                self.form.text_fields.append(name)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = (name, "multiple" in attrs, [])
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs, ""]
            self.select[2].append(self.option)

    def handle_data(self, data) -> None:
        if self.textarea is not None:
            self.textarea[1] += data
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # A browser drops the one line break that follows <textarea>.
            text = text.removeprefix("\n")
            self.form.data.append((name, text))
            if "__prefix__" not in name:
                self.form.text_fields.append(name)
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, multiple, options = self.select
            # A single select with nothing selected sends its first option.
            chosen = [o for o in options if o[1]] or ([] if multiple else options[:1])
            values = [text if value is None else value for value, _s, text in chosen]
            for value in values:
                self.form.data.append((name, value))
            self.select = None
        elif tag == "option":
            self.option = None


def page_forms(html: str) -> list[HtmlForm]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def page_form(html: str, **attrs) -> HtmlForm:
    """The one form of the page whose attributes include `attrs` (e.g.
    id="plan_form"); with no attrs, the one form that has text fields."""
    found = [
        form
        for form in page_forms(html)
        if all(form.attrs.get(key) == value for key, value in attrs.items())
        and (attrs or form.text_fields)
    ]
    assert len(found) == 1, f"{len(found)} forms match {attrs}"
    return found[0]
