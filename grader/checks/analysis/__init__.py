"""Analysis the checks share (no ``CHECK`` here, so nothing in this package is a check).

- :mod:`.compare`: an output against the expected one (structure, shapes and types, values),
  for the shapes and values checks and, copied unchanged, for the students' public tests
  (numpy and the standard library only: it imports nothing from ``grader``);
- :mod:`.submission_code`: a submission's (or the reference's) code, parsed: defs, imports,
  lines, the helpers a function reaches; :class:`~.submission_code.CodeCache` keeps one parse
  per submission for a batch;
- :mod:`.loops` and :mod:`.rank1_spots`: where a function could loop in Python, or make a
  rank-1 array (AST only);
- :mod:`.broadcasting`: shapes of expressions from the shapes the locals observer saw;
- :mod:`.traces`: validation of the observers' (untrusted) reports;
- :mod:`.probing`: the extra calls the teaching checks ask for;
- :mod:`.failures`, :mod:`.rendering`, :mod:`.hidden`: findings for calls that failed, public
  values as text, and the words a hidden case's finding may use.

Modules here import nothing from the checks themselves: a check depends on this package,
never on another check.
"""
