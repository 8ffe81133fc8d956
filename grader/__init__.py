"""An autograder for numpy deep-learning assignments.

The package follows the data: ``config`` (what to grade) → ``submission`` (load a
student's notebook) → ``sandbox`` (run it isolated) → ``checks`` (judge plain data)
→ ``score`` → ``report``; ``cli`` is a thin layer on top.
"""
__version__ = "0.1.0"
