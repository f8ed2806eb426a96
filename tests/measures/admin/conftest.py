import pytest


@pytest.fixture(autouse=True)
def _admin_without_second_factor(otp_off):
    """The admin tests log in without a second factor (admin_client, from
    pytest-django, is the superuser "admin"); tests/rusplan/test_security.py tests
    the second factor."""
