"""The engine's test items: pytest collects this module, and the grading plugin
(``grader.engine.GradingPlugin``) parametrizes it over every (student, graded function)."""


def test_graded_function(graded_function):
    graded_function.judge()
