"""Home and the canvas board: canvases, their blocks, versions and worksheets list.

The blueprint `bp` lives in `views.py`; `board.py` adds the board routes to it.
"""
