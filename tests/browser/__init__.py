"""Browser tests: one file per page (test_<page>_page.py), sharing the server fixture in conftest.py."""
