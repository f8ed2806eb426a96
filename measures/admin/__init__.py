"""The Django admin of the measures app, one module per model group. Django's admin
autodiscovery imports this package; importing the modules below registers their
ModelAdmins. A leaf: it uses the core (models, services, selectors, columns,
numbers) and nothing else imports it.

- plans: districts, plans, goals, measures and a measure's partners (with inlines)
- status_updates: status updates (the review lifecycle in the admin), the reminder log
- indicators: indicators, indicator values and budget lines
- sources: sources, and the citation inline and mixin the other modules use
- municipalities: the «Ny kommune» page (onboarding a municipality)
- forms: the admin's forms, with the rules an administrator can break
- imports/: the CSV/XLSX import (django-import-export) that the admins of measures,
  status updates and indicator values offer

See docs/admin-guide.md.
"""

# Imported for their @admin.register.
from measures.admin import (  # noqa: F401
    indicators,
    municipalities,
    plans,
    sources,
    status_updates,
)
