"""Home and the canvas board: canvases, their blocks, versions and worksheets list.

`views.py` holds the blueprint and the home and housekeeping routes; `board.py` adds the
board and version routes to the same blueprint (import `board.bp` to get all of them).
"""
