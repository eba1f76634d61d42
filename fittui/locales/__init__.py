"""The translation catalogs: ``client/<code>.po`` and ``therapist/<code>.po``, with their
templates ``client.pot`` and ``therapist.pot``.

They are read at runtime by :mod:`fittui.domain.language`; ``python -m fittui.locales``
(:mod:`fittui.locales.extract`) extracts the templates from the code and the instrument
files and brings every catalog up to date.
"""
