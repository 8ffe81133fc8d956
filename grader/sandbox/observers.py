"""Child-side observers: small hooks a check attaches to a student's call.

Runs inside the sandboxed child (untrusted territory): an observer's report is evidence
the student's code could tamper with, so checks weigh it as one signal among several.

Protocol: ``OBSERVERS[name]()`` makes an observer; the child calls ``start(filenames)``
right before the student's function runs (``filenames``: the code filenames of the
student's chunks, e.g. ``{"<cell 7>"}``, so numpy and the standard library are never
counted) and ``stop()`` right after, which returns JSON-able plain data (dict of
str/int/float/list). An observer must never raise into the student's call.
"""
OBSERVERS: dict = {}
