"""Views of the search page and saved searches."""
