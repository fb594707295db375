"""Test support for the GDĐT suite, kept out of the installed package (the wheel ships `src/gddt` only).

`factories` makes valid registrations and images, `personas` the officers every test shares, `plugin` the test
settings and database hooks, `browser` the Playwright fixtures; src/gddt/conftest.py loads the three plugins."""
