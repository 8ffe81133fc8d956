"""What the grader writes in the output folder (OUT) next to one folder per student.

Every writer names its file from here, and student ids are made so that none is one of these
(``gradebook.csv.py`` would otherwise make ``OUT/gradebook.csv/`` a folder).
"""
GRADEBOOK = "gradebook.csv"
REPORT = "report.html"
SKIPPED = "skipped.txt"
SIMILARITY = "similarity.csv"
TIMINGS = "timings.csv"
CACHE = ".cache"
OUT_ENTRIES = (GRADEBOOK, REPORT, SKIPPED, SIMILARITY, TIMINGS, CACHE)
