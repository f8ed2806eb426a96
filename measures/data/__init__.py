"""The data Rusplan ships and the data it makes up for benchmarks.

- bergen_plans.yaml: Bergen's drug-policy plans, compiled from public sources
  (docs/shipped-data.md), loaded by `manage.py load_bergen_plans`;
- loading/: load_plans() (loader.py), made of a part per concern: reader (reading and
  checking the file), rules (how the loader decides), sources, partners, plans,
  facts, and report (what a load did);
- demo/: fake, deterministic national-scale data (`manage.py generate_demo_data`).

Import from the modules themselves; this package re-exports nothing.
"""
