"""A second factor at /logg-inn/ for everyone who can change public data.

With RUSPLAN_REQUIRE_OTP (production), a correct password for a user who needs a
second factor (``policy.needs_second_factor``) does not log them in: it leaves a
*pending* login in the session (``pending.py``) and sends them to the code page, or,
without a device yet, to the enrolment page (``views.py``). Only a correct code logs
them in, verified. The middleware makes any other session of such a user without a
verified device anonymous to every view, so no view has to remember to check.
"""
