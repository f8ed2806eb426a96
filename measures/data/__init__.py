"""The data Rusplan ships and the data it makes up for benchmarks.

- bergen_plans.yaml: Bergen's drug-policy plans, compiled from public sources
  (docs/shipped-data.md), loaded by `manage.py load_bergen_plans`;
- reader: reading and checking that file; report: what a load did;
- loader: load_plans(), the loader made of load_rules (how it decides),
  load_sources, load_partners, load_plans and load_facts;
- demo/: fake, deterministic national-scale data (`manage.py generate_demo_data`).

Import from the modules themselves; this package re-exports nothing.
"""
