"""What more than one test module needs: world builders, form data, page readers,
CSP checks, a clean interpreter. Test modules import from here (and from
tests.factories), never from each other; fixtures live in the conftest.py files."""
