"""Form data for POST requests."""


def form_data(measure, **overrides) -> dict:
    """A valid POST for the status update form, citing a new link."""
    measure.refresh_from_db()
    data = {
        "as_of": "30.04.2021",
        "phase": "in_progress",
        "health": "on_track",
        "progress": "60",
        "summary": "Avtale om lokaler er inngått.",
        "new_source_url": "https://www.bergen.kommune.no/",
        "new_source_publisher": "Bergen kommune",
        "new_source_title": "Forsiden",
        "new_source_kind": "municipal_page",
        "version": str(measure.version),
        "submit": "Send til godkjenning",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
