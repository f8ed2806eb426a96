"""Onboard a municipality: the municipality, its own partner, its first municipal
administrator (who gets a mail to set a password: no password on the command
line) and its training plan (measures/services/municipalities.py). Run once per
municipality: a number, name or slug that is taken is refused and nothing is
created (docs/admin-guide.md, decision 56)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.management.base import TranslatedHelpCommand
from measures.services.base import SystemActor
from measures.services.municipalities import municipality_onboard

COMMAND = SystemActor("create_municipality")


def _default_domain() -> str:
    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"]
    return hosts[0] if hosts else "localhost:8000"


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Oppretter en kommune med egen partner, første kommuneadministrator og "
        "øvingsplan. Administratoren får en e-post med lenke for å velge passord."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="For eksempel Askøy.")
        parser.add_argument(
            "--number", required=True, help="Kommunenummeret, fire sifre (4627)."
        )
        parser.add_argument("--county", default="", help="For eksempel Vestland.")
        parser.add_argument(
            "--slug", required=True, help="Første del av adressen, som askoy."
        )
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--contact-email", default="")
        parser.add_argument(
            "--domain",
            default=None,
            help="Vertsnavnet i lenken i e-posten (standard: første i "
            "DJANGO_ALLOWED_HOSTS).",
        )
        parser.add_argument(
            "--http",
            action="store_true",
            help="Lenken i e-posten med http:// (bare for utvikling).",
        )

    def handle(self, *args, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._create(**options)

    def _create(self, **options) -> None:
        fields = {}
        if options["contact_email"]:
            fields["contact_email"] = options["contact_email"]
        try:
            done = municipality_onboard(
                actor=COMMAND,
                name=options["name"].strip(),
                number=options["number"].strip(),
                county=options["county"].strip(),
                slug=options["slug"].strip(),
                admin_username=options["admin_username"].strip(),
                admin_email=options["admin_email"].strip(),
                domain=options["domain"] or _default_domain(),
                use_https=not options["http"],
                **fields,
            )
        except ValidationError as error:
            raise CommandError(_describe(error)) from error
        self.stdout.write(
            _(
                "Opprettet %(municipality)s kommune (%(number)s) på /%(slug)s/ med "
                "partneren «%(partner)s», øvingsplanen «%(plan)s» og administratoren "
                "%(username)s. En e-post med lenke for å velge passord er sendt til "
                "%(email)s."
            )
            % {
                "municipality": done.municipality.name,
                "number": done.municipality.number,
                "slug": done.municipality.slug,
                "partner": done.partner.name,
                "plan": done.training_plan.title,
                "username": done.administrator.username,
                "email": done.administrator.email,
            }
        )


OPTION_OF_FIELD = {
    "name": "--name",
    "number": "--number",
    "county": "--county",
    "slug": "--slug",
    "username": "--admin-username",
    "email": "--admin-email",
    "contact_email": "--contact-email",
}


def _describe(error: ValidationError) -> str:
    """The service's errors named by the option to correct."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    lines = []
    for field, texts in error.message_dict.items():
        option = OPTION_OF_FIELD.get(field)
        prefix = f"{option}: " if option else ""
        lines += [prefix + text for text in texts]
    return _("Ingenting er opprettet. ") + " ".join(lines)
