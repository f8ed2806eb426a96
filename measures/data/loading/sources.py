"""Loading the file's sources: the public documents every shipped fact cites,
each identified by its URL and known in the file by its id ("S1")."""

from django.utils.translation import gettext as _

from measures.data.loading.reader import LoadError, as_date, as_text, check_keys
from measures.data.loading.rules import LOADER, LoaderBase
from measures.models import Source
from measures.services import shipped_records


class SourceLoading(LoaderBase):
    def load_source(self, entry) -> None:
        where = _("kilde «%(id)s»") % {
            "id": entry.get("id") if isinstance(entry, dict) else "?"
        }
        check_keys(
            entry,
            where,
            required=("id", "publisher", "title", "url", "kind"),
            optional=("published_on", "precision", "date_note"),
        )
        source_id = as_text(entry["id"])
        if source_id in self.sources:
            raise LoadError(_("%(where)s står to ganger i filen.") % {"where": where})
        url = as_text(entry["url"])
        wanted = {
            "publisher": as_text(entry["publisher"]),
            "title": as_text(entry["title"]),
            "kind": as_text(entry["kind"]),
            "published_on": as_date(entry.get("published_on"), where),
            "date_precision": as_text(entry.get("precision"))
            or Source.DatePrecision.DAY,
            "date_note": as_text(entry.get("date_note")),
            "external_id": (f"{self.namespace}:{source_id}" if self.namespace else ""),
        }
        self.sources[source_id] = self.sync(
            kind="source",
            where=where,
            model=Source,
            key={"url": url},
            wanted=wanted,
            create=lambda: shipped_records.source_create(
                actor=LOADER, url=url, **wanted
            ),
            update=lambda obj, changed: shipped_records.source_update(
                actor=LOADER, source=obj, **changed
            ),
        )
