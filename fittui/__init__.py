"""fittui: Feedback-Informed Treatment in the terminal."""

__version__ = "0.1.0"
