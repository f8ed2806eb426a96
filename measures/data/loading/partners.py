"""Loading partners (with their former names) and districts: who the plans name
as owners, leads and contributors, and where measures apply."""

from django.utils.translation import gettext as _

from measures.data.loading.reader import as_date, as_text, check_keys, entry_list
from measures.data.loading.rules import LOADER, LoaderBase
from measures.models import District
from measures.services.plans import district_create, district_update
from partners import services as partner_services
from partners.models import Partner, PartnerName


class PartnerLoading(LoaderBase):
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
        wanted = {
            "name": as_text(entry["name"]),
            "short_name": as_text(entry.get("short_name")),
            "kind": as_text(entry["kind"]),
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
        check_keys(entry, where, required=("slug", "name"), optional=("municipality",))
        slug = as_text(entry["slug"])
        wanted = {
            "name": as_text(entry["name"]),
            "municipality": self.partner_ref(entry.get("municipality"), where),
        }
        self.districts[slug] = self.sync(
            kind="district",
            where=where,
            model=District,
            key={"slug": slug},
            wanted=wanted,
            create=lambda: district_create(actor=LOADER, slug=slug, **wanted),
            update=lambda obj, changed: district_update(
                actor=LOADER, district=obj, **changed
            ),
        )
