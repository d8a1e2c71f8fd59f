"""Browser tests: the fixtures (browser, page, screenshot) live in tests/browser.py."""
