"""Course staff tools: grade a whole assignment for a class.

Assignments (YAML, validated like decks), reading students' folders (``.py`` files and
notebooks), grading every student through the grader's warm pool, the gradebook and
per-student feedback, similarity between students' answers (winnowed fingerprints), merging
the reports of several shards, and a Gradescope autograder bundle.
"""

from ._assignment import (
    Assignment,
    AssignmentModel,
    GradedQuestion,
    assignment_json_schema,
    load_assignment,
    parse_assignment,
)
from ._autograder import build_bundle, run_in_gradescope
from ._grading import (
    ClassResult,
    CourseError,
    QuestionGrade,
    find_students,
    grade_class,
    in_shard,
    parse_shard,
    question_score,
)
from ._reports import (
    FORMATS,
    feedback_markdown,
    feedback_name,
    gradescope_results,
    read_json_lines,
    render,
    render_class_text,
    to_csv,
)
from ._similarity import DEFAULT_THRESHOLD, SimilarPair, find_similar, similarity_json_lines
from ._sources import SourceFile, Student, locate, read_notebook, read_python, read_student

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "Assignment",
    "AssignmentModel",
    "ClassResult",
    "CourseError",
    "GradedQuestion",
    "QuestionGrade",
    "SimilarPair",
    "SourceFile",
    "Student",
    "assignment_json_schema",
    "build_bundle",
    "feedback_markdown",
    "feedback_name",
    "find_similar",
    "find_students",
    "grade_class",
    "gradescope_results",
    "in_shard",
    "load_assignment",
    "locate",
    "parse_assignment",
    "parse_shard",
    "question_score",
    "read_json_lines",
    "read_notebook",
    "read_python",
    "read_student",
    "render",
    "render_class_text",
    "run_in_gradescope",
    "similarity_json_lines",
    "to_csv",
]
