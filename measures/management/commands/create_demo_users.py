"""Create demo accounts for trying the workflow, on request only (never in
migrations or `make run` by default). See docs/caseworker-guide.md."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q

from measures.models import MeasurePartner, Plan
from partners.models import Membership, Partner

ENV_VARIABLE = "RUSPLAN_DEMO_PASSWORD"
POLICE_SLUG = "vest-politidistrikt"


class Command(BaseCommand):
    help = (
        "Lag demobrukere: en saksbehandler i Vest politidistrikt, en saksbehandler "
        "i en kommunal enhet og en koordinator for planenes eiere. Passordet hentes "
        f"fra {ENV_VARIABLE} eller lages og skrives ut."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit",
            default="",
            help="Slug for den kommunale enheten (standard: enheten som er "
            "ansvarlig for flest tiltak).",
        )
        parser.add_argument(
            "--police",
            default=POLICE_SLUG,
            help=f"Slug for politidistriktet (standard: {POLICE_SLUG}).",
        )

    @transaction.atomic
    def handle(self, *args, unit="", police=POLICE_SLUG, **options):
        owners = list(
            Partner.objects.filter(owned_plans__isnull=False)
            .exclude(owned_plans__status=Plan.Status.DRAFT)
            .distinct()
        )
        if not owners:
            raise CommandError(
                "Fant ingen planer. Last inn planene først: manage.py load_bergen_plans"
            )
        police_partner = Partner.objects.filter(slug=police).first()
        if police_partner is None:
            raise CommandError(f"Fant ingen partner med slug «{police}».")
        unit_partner = self._unit(unit)
        password = os.environ.get(ENV_VARIABLE) or secrets.token_urlsafe(12)
        accounts = [
            ("demo-politi", "Demo", "Politi", [(police_partner, "caseworker")]),
            ("demo-kommune", "Demo", "Kommune", [(unit_partner, "caseworker")]),
            (
                "demo-koordinator",
                "Demo",
                "Koordinator",
                [(owner, "coordinator") for owner in owners],
            ),
        ]
        user_model = get_user_model()
        for username, first, last, roles in accounts:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.invalid",
                },
            )
            user.set_password(password)
            user.is_active = True
            user.save()
            for partner, role in roles:
                Membership.objects.update_or_create(
                    user=user, partner=partner, defaults={"role": role}
                )
            where = ", ".join(f"{p.name} ({r})" for p, r in roles)
            verb = "Opprettet" if created else "Oppdaterte"
            self.stdout.write(f"{verb} {username}: {where}")
        if os.environ.get(ENV_VARIABLE):
            self.stdout.write(f"Passord: fra miljøvariabelen {ENV_VARIABLE}.")
        else:
            self.stdout.write(f"Passord for alle demobrukerne: {password}")

    def _unit(self, slug: str) -> Partner:
        if slug:
            partner = Partner.objects.filter(slug=slug).first()
            if partner is None:
                raise CommandError(f"Fant ingen partner med slug «{slug}».")
            return partner
        partner = (
            Partner.objects.filter(kind=Partner.Kind.MUNICIPAL_UNIT)
            .annotate(
                n_lead=Count(
                    "measure_roles",
                    filter=Q(measure_roles__role=MeasurePartner.Role.LEAD),
                )
            )
            .filter(n_lead__gt=0)
            .order_by("-n_lead", "name")
            .first()
        )
        if partner is None:
            raise CommandError("Fant ingen kommunal enhet med tiltak. Bruk --unit.")
        return partner
