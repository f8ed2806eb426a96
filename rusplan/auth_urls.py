"""Login, logout, password change and password reset: Django's views, our URLs
and templates (templates/registration/). Included from rusplan/urls.py."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from .auth_views import LoginView
from .password_reset import QueuedPasswordResetForm

urlpatterns = [
    # A logged-in user who is sent here lacks access to ``next``: the page says so
    # rather than redirecting (which could loop).
    path(
        "logg-inn/",
        LoginView.as_view(),
        name="login",
    ),
    # Django's LogoutView accepts POST only (GET answers 405).
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "passord/endre/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "passord/endre/ferdig/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "passord/glemt/",
        # The mail is sent by a job: the same work for known and unknown addresses.
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={
                "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60
            },
        ),
        name="password_reset",
    ),
    path(
        "passord/glemt/sendt/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passord/ny/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passord/ny/ferdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
