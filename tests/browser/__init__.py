"""Browser tests: real Chromium through Playwright, against the bundled vault served under /repo/."""
