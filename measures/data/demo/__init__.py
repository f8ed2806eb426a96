"""Fake, deterministic scale data for benchmarks (`manage.py generate_demo_data`).

Everything made here is clearly fake and kept apart from real plans:

- the municipalities are tenants of their own, "Demo-kommune 17" with slug
  ``demo-kommune-17``, county "Demofylke" and a kommunenummer from 9101 up (no real
  kommune has a number above 56xx; at most 356 of them, up to 9456); a municipality
  that is not demo data with one of the numbers, slugs or names needed stops the
  run (DemoDataConflict) instead of being mixed in;
- every partner, plan, district and measure has a slug that starts with ``demo-``
  and a name such as "Demo-politidistrikt 3" or "Demotiltak 123"; demo plans are in
  demo municipalities, owned by demo partners and use only demo partners and demo
  districts, so real plans (the shipped Bergen plans) are never touched, and
  ``demo_data_delete()`` removes exactly this;
- one partner, ``demo-data``, records the parameters it was made with, so that a
  second run with the same parameters does nothing (the national scale takes minutes);
- the same parameters, seed included, always give the same rows (ids aside).

Speed: rows go in with ``bulk_create`` in large batches, and on PostgreSQL the status
updates (the bulk of the data) with ``COPY``. No history rows are written:
django-simple-history records edits made by people, and a million generated rows would
only double the database and bury real history. Bulk writes send no model signals, so
generating and deleting send ``measures.signals.public_data_changed`` at the end (the
public page cache makes every page stale on it).

Proportions (the national scale of the benchmark, 356 municipalities with one plan
each, 20,000 measures and 1,000,000 updates, in brackets): each municipality has its
own organisation (the owner of its plans), four units and four districts; the plans
go round the municipalities (one each unless more plans are asked for); one demo
police district per four municipalities and one health trust per twelve serve them
(Partner.serves) and lead or contribute to measures in each; five national demo user
organisations serve all; 13 goals in a tree per plan (an overall goal, 4 main goals,
2 sub-goals each); measures (56 a plan on average: most 28, the last few rising to
740, see measures_per_plan) with one lead and 0-3 contributors, 0-2 of their
municipality's districts and 1-2 goals; updates (50 a measure), all published, dated
through the plan period up to DEMO_TODAY; indicators in proportion to the plan sizes,
half on goals and half on measures, each with published values for consecutive
tertials (20). Without the indicator models, no indicators.

No sources and no citations: demo data is never a public fact of a real plan, so it
cites nothing (and a million citations would only slow the benchmarks down).

The modules (import from them; this package re-exports nothing):

- size: the parameters (DemoSize), what a run did (DemoReport), the proportions;
- rows: which rows are demo data, and writing them in bulk;
- generate: demo_data_generate(), which makes the world (world: municipalities,
  partners, districts, plans, goals), then the measures (measures), their status
  updates (updates) and the indicators (indicators);
- delete: demo_data_delete().
"""
