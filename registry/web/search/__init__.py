"""The search box in the header and its results page."""
