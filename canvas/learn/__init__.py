"""The learning library: every content page, readable on its own."""
