"""Every non-trivial read, one module per page or concept; each owns its
select_related/prefetch_related so that the public pages use a constant number of
queries. Import the function from its module:

- public: what the public may see (no drafts, no training plans), once
- rollups: phase and traffic-light counts and weighted progress
- plans, measures, partners, districts: the public pages
- changes: what changed since the last reporting period, the newest updates
- indicators, small_numbers (the one rule for small counts), budgets
- citations: numbered sources for any page
- due: which measures are due for a report this reporting period
- workflow: Mine tiltak and the review queue, for both kinds
"""
