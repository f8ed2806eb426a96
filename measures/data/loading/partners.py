"""Loading partners (with their former names) and districts: who the plans name
as owners, leads and contributors, and where measures apply."""

from django.utils.translation import gettext as _

from measures.data.loading.reader import (
    LoadError,
    as_date,
    as_text,
    check_keys,
    entry_list,
)
from measures.data.loading.rules import LOADER, LoaderBase
from measures.models import District
from measures.services.plans import district_create, district_update
from partners import services as partner_services
from partners.models import Municipality, Partner, PartnerName


class PartnerLoading(LoaderBase):
    def load_municipality(self, entry) -> None:
        """The file's municipality, found by its kommunenummer; required before
        anything that belongs to it."""
        where = _("kommunen")
        check_keys(
            entry,
            where,
            required=("name", "number", "slug"),
            optional=("county", "contact_email", "accessibility_email"),
        )
        number = as_text(entry["number"])
        wanted = {
            "name": as_text(entry["name"]),
            "slug": as_text(entry["slug"]),
            "county": as_text(entry.get("county")),
            "contact_email": as_text(entry.get("contact_email")),
            "accessibility_email": as_text(entry.get("accessibility_email")),
        }
        self.municipality = self.sync(
            kind="municipality",
            where=where,
            model=Municipality,
            key={"number": number},
            wanted=wanted,
            create=lambda: partner_services.municipality_create(
                actor=LOADER, number=number, **wanted
            ),
            update=lambda obj, changed: partner_services.municipality_update(
                actor=LOADER, municipality=obj, **changed
            ),
        )
        if self.municipality is None:
            raise LoadError(
                _(
                    "Kommunen med kommunenummer %(number)s er slettet av en "
                    "administrator; filens planer har ingen kommune å høre til."
                )
                % {"number": number}
            )

    def load_partner(self, entry) -> None:
        where = _("partner «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        check_keys(
            entry,
            where,
            required=("slug", "name", "kind", "sources"),
            optional=(
                "short_name",
                "parent",
                "website",
                "description",
                "former_names",
                "field_sources",
            ),
        )
        slug = as_text(entry["slug"])
        cited = self.cited(entry, where)
        kind = as_text(entry["kind"])
        municipal = kind in Partner.MUNICIPAL_KINDS
        wanted = {
            "name": as_text(entry["name"]),
            "short_name": as_text(entry.get("short_name")),
            "kind": kind,
            # A municipality's own organisation and units are the file's
            # municipality's; the others serve it (below).
            "municipality": self.municipality if municipal else None,
            "parent": self.partner_ref(entry.get("parent"), where),
            "website": as_text(entry.get("website")),
            "description": as_text(entry.get("description")),
        }
        partner = self.sync(
            kind="partner",
            where=where,
            model=Partner,
            key={"slug": slug},
            wanted=wanted,
            create=lambda: partner_services.partner_create(
                actor=LOADER, slug=slug, **wanted
            ),
            update=lambda obj, changed: partner_services.partner_update(
                actor=LOADER, partner=obj, **changed
            ),
        )
        self.partners[slug] = partner
        if partner is not None and not municipal:
            partner_services.partner_serves_add(
                actor=LOADER, partner=partner, municipality=self.municipality
            )
        self.cite(partner, cited, where)
        for former in entry_list(entry, "former_names", where):
            self._former_name(partner, former, where)

    def _former_name(self, partner: Partner | None, entry, partner_where: str) -> None:
        where = _("%(partner)s, tidligere navn «%(name)s»") % {
            "partner": partner_where,
            "name": entry.get("name") if isinstance(entry, dict) else "?",
        }
        check_keys(
            entry,
            where,
            required=("name", "sources"),
            optional=(
                "valid_from",
                "valid_until",
                "dates_approximate",
                "field_sources",
            ),
        )
        cited = self.cited(entry, where)
        if partner is None:
            self.report.tallies["partner_name"].skipped += 1
            return
        name = as_text(entry["name"])
        wanted = {
            "valid_from": as_date(entry.get("valid_from"), where),
            "valid_until": as_date(entry.get("valid_until"), where),
            "dates_approximate": bool(entry.get("dates_approximate", False)),
        }
        former = self.sync(
            kind="partner_name",
            where=where,
            model=PartnerName,
            key={"partner": partner, "name": name},
            wanted=wanted,
            create=lambda: partner_services.partner_name_add(
                actor=LOADER, partner=partner, name=name, **wanted
            ),
            update=lambda obj, changed: partner_services.partner_name_update(
                actor=LOADER, former=obj, **changed
            ),
        )
        self.cite(former, cited, where)

    def load_district(self, entry) -> None:
        where = _("bydel «%(slug)s»") % {
            "slug": entry.get("slug") if isinstance(entry, dict) else "?"
        }
        check_keys(entry, where, required=("slug", "name"), optional=())
        slug = as_text(entry["slug"])
        wanted = {"name": as_text(entry["name"])}
        self.districts[slug] = self.sync(
            kind="district",
            where=where,
            model=District,
            key={"slug": slug, "municipality": self.municipality},
            wanted=wanted,
            create=lambda: district_create(
                actor=LOADER, slug=slug, municipality=self.municipality, **wanted
            ),
            update=lambda obj, changed: district_update(
                actor=LOADER, district=obj, **changed
            ),
        )
