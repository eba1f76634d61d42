"""Reusable widgets: one module each (the visual-analogue slider, the history plot, ...)."""
