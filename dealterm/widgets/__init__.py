"""Reusable widgets: the virtual stage column, the board, the filter bar, pickers."""
