"""Login forms whose username length is validated before anyone authenticates.

Django's AuthenticationForm sets the username field's ``max_length`` after the field
is built, so no MaxLengthValidator runs: a 5,000-character username reaches
``authenticate()``, and django-axes then records the failure in
``AccessAttempt.username`` (varchar 255), which PostgreSQL refuses with an error
(a 500). Found by the hypothesis test in tests/rusplan/test_auth.py.
"""

import functools

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from partners.text import VisibleTextFormMixin


class UsernameLengthMixin:
    """An over-long username is a form error, like any other invalid input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(VisibleTextFormMixin, UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(
    VisibleTextFormMixin, UsernameLengthMixin, AdminAuthenticationForm
):
    pass


class CountOTPFailuresMixin:
    """A wrong code counts toward django-axes' lockouts like a wrong password (the
    site's code step does the same, rusplan/two_factor/views.py)."""

    def _verify_token(self, user, token, device=None):
        from axes.handlers.proxy import AxesProxyHandler
        from django.core.exceptions import ValidationError

        try:
            return super()._verify_token(user, token, device)
        except ValidationError as error:
            if error.code == "invalid_token":
                AxesProxyHandler.user_login_failed(
                    sender=type(self),
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
            raise


@functools.cache
def otp_admin_login_form():
    """django-otp's admin login form with the same checks; imported late because
    django_otp's forms need the app registry."""
    from django_otp.admin import OTPAdminAuthenticationForm

    return type(
        "OTPAdminLoginForm",
        (
            VisibleTextFormMixin,
            UsernameLengthMixin,
            CountOTPFailuresMixin,
            OTPAdminAuthenticationForm,
        ),
        {},
    )
