"""The Django admin, requiring a second factor (django-otp) when
RUSPLAN_REQUIRE_OTP is true, which is the default in production mode.

Installed through Django's documented hook (an AdminConfig with ``default_site``),
so ``django.contrib.admin.site`` is this site and every ``admin.register`` lands on
it. The setting is read on every request, so tests can switch it.

Every admin registered here, ours and third-party, builds forms that refuse invisible
characters in their text fields (VisibleTextAdminMixin, partners/text.py).
"""

from django.conf import settings
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest
from django.urls import path

from partners.text import visible_text_form


class RusplanAdminConfig(AdminConfig):
    default_site = "rusplan.admin_site.RusplanAdminSite"


def _otp_required() -> bool:
    return settings.RUSPLAN_REQUIRE_OTP


class VisibleTextAdminMixin:
    """Every form this admin builds (add, change, inline, list-editable) refuses
    invisible characters in its text fields (partners/text.py), whoever wrote the
    admin class: ours, Django's user admin or django-otp's device admins."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return visible_text_form(
            super().get_form(request, obj, change=change, **kwargs)
        )

    def get_changelist_form(self, request, **kwargs):
        return visible_text_form(super().get_changelist_form(request, **kwargs))

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            # Instances are made per request: this changes only this request's.
            inline.form = visible_text_form(inline.form)
        return inlines


class RusplanAdminSite(AdminSite):
    """Like django_otp.admin.OTPAdminSite, but switchable by a setting.

    With OTP required, a staff user counts as staff only once a confirmed device
    (TOTP, or a one-time static token for the first login) has verified them in
    this session; the admin login form then asks for the code.
    """

    @property
    def login_form(self):
        # Both validate the username's length first (rusplan/auth_forms.py).
        from .auth_forms import AdminLoginForm, otp_admin_login_form

        return otp_admin_login_form() if _otp_required() else AdminLoginForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if _otp_required() else None

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, VisibleTextAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (VisibleTextAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        # Django's «view on site» redirect (/admin/r/<type>/<id>/) looks the
        # object up unscoped: a municipal administrator walking ids would be
        # sent to another municipality's objects, even non-public ones. Ours
        # answers only for an object the model's admin shows this user.
        urls = [
            url
            for url in super().get_urls()
            if getattr(url, "name", None) != "view_on_site"
        ]
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *urls,
        ]

    def view_on_site(self, request: HttpRequest, content_type_id, object_id):
        # Imported here: this module is loaded with the app registry.
        from django.contrib.contenttypes import views as contenttype_views
        from django.contrib.contenttypes.models import ContentType

        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ObjectDoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None:
            raise Http404
        obj = model_admin.get_object(request, object_id)
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not _otp_required() or request.user.is_verified()
