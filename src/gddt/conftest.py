"""The suite's fixtures live in the test-support package `gddt_testing` (testing/, not shipped in the wheel)."""

pytest_plugins = ["gddt_testing.plugin", "gddt_testing.personas", "gddt_testing.browser", "gddt_testing.openapi"]
