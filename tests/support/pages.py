"""Pages read as a reader reads them."""

import re
from html.parser import HTMLParser


class _IndicatorText(HTMLParser):
    """The text a reader gets from the indicator sections of a page, including the
    SVG's labels, title and description."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # >0 inside <section class="indicator">
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag != "section":
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or "indicator" in classes:
            self.depth += 1

    def handle_endtag(self, tag) -> None:
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data) -> None:
        if self.depth and data.strip():
            self.texts.append(data.strip())


def indicator_texts(html: str) -> list[str]:
    parser = _IndicatorText()
    parser.feed(html)
    return parser.texts


def shows_number(texts, number: int) -> bool:
    """Whether `number` stands on its own in any of the texts (strings, or the cells
    of a file: anything with a text form), not as part of a longer number."""
    pattern = re.compile(rf"(?<![\d.,]){number}(?![\d]|[.,]\d)")
    return any(pattern.search(str(text)) for text in texts)
