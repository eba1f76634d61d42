"""The clinical core: instruments as data, scoring, patterns, episodes, the expected
path and the outcome summary. Pure functions, no I/O, no Textual."""
