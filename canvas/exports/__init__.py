"""PDF exports: the canvas poster and the worksheet report (WeasyPrint)."""
