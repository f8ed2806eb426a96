"""Writes to sources and citations (measures/models/sources.py).

Same rules as every module of measures/services/: keyword-only, one transaction,
full_clean() before save, a permission check on the acting user (a SystemActor
for commands that load shipped data).

A source is found by its URL: surrounding whitespace is stripped and the rest is
compared exactly, so the same link entered twice gives one source and the fields
of the first entry stand (a later entry does not overwrite them). See
docs/data-model.md, "Sources (writes)".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from measures import permissions
from measures.models import CITING_MODELS, Citation, Source
from measures.models.sources import HTTP_URL_VALIDATOR
from measures.services.base import check, is_system, validate


@dataclass(frozen=True)
class NewSource:
    """A link typed into a form or an import cell: becomes, or finds, a Source."""

    url: str
    publisher: str = ""
    title: str = ""
    kind: str = ""
    published_on: object = None  # datetime.date | None
    date_note: str = ""


def source_from_url(url: str) -> NewSource:
    """A source known only by its link (an import's source_urls cell): the host
    stands in as publisher and the link as title, the kind is «Annen
    organisasjon», the date is left blank («udatert»), and the date note says the
    rest was not checked, so an administrator can see what to complete under
    Kilder. See docs/exports.md, "source_urls"."""
    url = normalise_url(url)
    host = (urlsplit(url).hostname or url).removeprefix("www.")
    return NewSource(
        url=url,
        publisher=host,
        title=url,
        kind=Source.Kind.ORGANISATION,
        date_note=_(
            "Registrert fra en lenke ved import. Utgiver, tittel og dato er ikke "
            "kontrollert."
        ),
    )


def normalise_url(url: str) -> str:
    return (url or "").strip()


def check_url(url: str, *, field: str = "url") -> str:
    """The normalised URL, or a ValidationError on `field` if it is not http(s)."""
    url = normalise_url(url)
    try:
        HTTP_URL_VALIDATOR(url)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return url


@transaction.atomic
def source_get_or_create(
    *,
    actor,
    url: str,
    publisher: str = "",
    title: str = "",
    kind: str = "",
    published_on=None,
    date_precision: str = Source.DatePrecision.DAY,
    date_note: str = "",
    accessed_on=None,
    external_id: str = "",
    permission_checked: bool = False,
) -> tuple[Source, bool]:
    """The source with this URL, or a new one; (source, created).

    A URL that is not http(s) and a date in the future are refused (by the model's
    validators and clean()), with messages that say what to write instead. Anyone
    with a membership (or staff with the permission) may add a source; a service
    that checked a stronger right itself (to publish) says permission_checked.
    """
    if not permission_checked:
        check(actor, permissions.can_add_source)
    url = check_url(url)
    existing = Source.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    source = Source(
        url=url,
        publisher=publisher.strip(),
        title=title.strip(),
        kind=kind,
        published_on=published_on,
        date_precision=date_precision,
        date_note=date_note.strip(),
        accessed_on=accessed_on,
        external_id=external_id.strip(),
        created_by=None if is_system(actor) else actor,
    )
    # The URL's uniqueness is the database's to check: two people pasting the same
    # new link at once both pass the look-up above, and the second insert fails.
    # It then takes the first one's source, in a savepoint so that the caller's
    # transaction goes on.
    validate(source, validate_unique=False)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        existing = Source.objects.filter(url=url).first()
        if existing is None:
            raise
        return existing, False
    return source, True


@transaction.atomic
def source_update(*, actor, source: Source, **fields) -> Source:
    """Change a source's fields (the admin). Its URL may be corrected, but not to
    the URL of another source."""
    check(actor, permissions.can_change_sources)
    if "url" in fields:
        fields["url"] = normalise_url(fields["url"])
    for name, value in fields.items():
        setattr(source, name, value)
    validate(source)
    source.save()
    return source


def cited_message(source: Source) -> str:
    count = source.citations.count()
    return ngettext(
        "Kilden «%(source)s» kan ikke slettes fordi %(count)d opplysning viser "
        "til den. Fjern eller bytt kildehenvisningen først.",
        "Kilden «%(source)s» kan ikke slettes fordi %(count)d opplysninger viser "
        "til den. Fjern eller bytt kildehenvisningene først.",
        count,
    ) % {"source": source, "count": count}


@transaction.atomic
def source_delete(*, actor, source: Source) -> None:
    """Delete a source nobody cites; a cited one is refused with a message (its
    citations PROTECT it), and nothing changes."""
    check(actor, permissions.can_delete_sources)
    if source.citations.exists():
        raise ValidationError(cited_message(source), code="protected")
    try:
        source.delete()
    except ProtectedError:
        # Cited between the check and the delete.
        raise ValidationError(cited_message(source), code="protected") from None


def target_name(target: models.Model) -> str:
    """The Citation field that points at `target`'s model ("plan", "measure"...)."""
    label = target._meta.label
    for name, model in CITING_MODELS.items():
        if model == label:
            return name
    raise TypeError(f"{label} cannot cite a source")


def resolve_sources(
    *,
    actor,
    sources: Iterable[Source] = (),
    new_sources: Sequence[NewSource] = (),
    field_prefix: str = "new_source_",
    permission_checked: bool = False,
) -> list[Source]:
    """The chosen sources followed by the typed ones (found or created), without
    repeats. Errors on a typed source come back on `field_prefix + field`, the
    names the forms use."""
    result: list[Source] = []
    for source in sources:
        if source not in result:
            result.append(source)
    for new in new_sources:
        try:
            source, _created = source_get_or_create(
                actor=actor,
                url=new.url,
                publisher=new.publisher,
                title=new.title,
                kind=new.kind,
                published_on=new.published_on,
                date_note=new.date_note,
                permission_checked=permission_checked,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    {
                        f"{field_prefix}{name}": messages
                        for name, messages in error.message_dict.items()
                    }
                ) from None
            raise
        if source not in result:
            result.append(source)
    return result


def cite(*, target: models.Model, sources: Sequence[Source], field: str = "") -> None:
    """Make `sources` (in order) the citations of `target` for `field`, keeping the
    ones that stay so their history is not churned. No permission check: for
    services that checked the actor already."""
    name = target_name(target)
    wanted = list(dict.fromkeys(sources))
    existing = {
        citation.source_id: citation
        for citation in Citation.objects.filter(**{name: target, "field": field})
    }
    wanted_ids = {source.pk for source in wanted}
    # One by one, so that each removal leaves a history row.
    for source_id, citation in existing.items():
        if source_id not in wanted_ids:
            citation.delete()
    for position, source in enumerate(wanted):
        citation = existing.get(source.pk)
        if citation is None:
            citation = Citation(
                source=source, field=field, position=position, **{name: target}
            )
        elif citation.position == position:
            continue
        citation.position = position
        validate(citation)
        citation.save()


@transaction.atomic
def citations_set(
    *, actor, target: models.Model, sources: Sequence[Source], field: str = ""
) -> list[Citation]:
    """Replace what `target` cites (for `field`, blank: the fact as a whole) with
    `sources`, in order. The actor must be allowed to change the target: the
    author's people for a draft or returned update or value, staff with the model
    permission for the rest (permissions.can_cite)."""
    check(actor, lambda user: permissions.can_cite(user, target))
    cite(target=target, sources=sources, field=field)
    name = target_name(target)
    return list(
        Citation.objects.filter(**{name: target, "field": field}).select_related(
            "source"
        )
    )
