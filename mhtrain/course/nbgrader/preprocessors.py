"""The nbgrader preprocessors the course adds: tutor notes out, per-student kernels, output
limits, and feedback that never shows a hidden test."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, TraitType, Unicode

from mhtrain import settings
from mhtrain.course.lessons import grade_id, is_tutor_note, is_worked_words
from mhtrain.course.nbgrader import marking, sandbox


def _option(trait: TraitType, help: str) -> TraitType:
    """A setting of one of these steps that nbgrader's configuration can change."""
    trait.help = help
    return trait.tag(config=True)


#: The folder, inside a course, holding the course dataset the lessons load.
DATA_FOLDER = "synthetic_data"

_CUT_NOTE = (
    "... Output cut short: this cell printed {size:,} characters; the first {kept:,} are kept."
)
_HIDDEN_LINE_SHOWN = "(a line of a hidden test, not shown)"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")
# A secret line must be long enough that finding it in an output is not a coincidence.
_MIN_SECRET = 6
#: Where the answers read from a kernel wait for :class:`DecideMarks` in nbconvert's resources.
ANSWERS_KEY = "mhtrain_answers"
#: Seconds the kernel may take to give the answers of one test cell.
_REPLY_TIMEOUT = 60


class RemoveTutorNotes(NbGraderPreprocessor):
    """Remove the cells meant for tutors only: Markdown cells tagged ``tutor-note`` (marking
    rubrics, facilitation advice) and the worked answers in words (tagged ``worked-answer``),
    which give the answers away.

    It runs first when nbgrader generates an assignment, so these cells stay in the source
    version and never reach a released notebook.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Drop every tutor note and every worked answer in words."""
        nb.cells = [c for c in nb.cells if not (is_tutor_note(c) or is_worked_words(c))]
        return nb, resources


class RemoveHiddenTestsFromFeedback(ClearHiddenTests):
    """Remove hidden tests, and any trace of them in error output, from feedback notebooks.

    nbgrader restores hidden tests before autograding, and its feedback shows every cell's source
    and traceback. This preprocessor deletes the hidden-test regions from the source and, in
    cells that held them, cuts each error traceback down to its final line (the error's type
    and message), because a traceback quotes the failing source line.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Strip hidden-test regions from one cell and scrub its error outputs."""
        if cell.cell_type != "code":
            return cell, resources
        removed = self._remove_hidden_test_region(cell)
        if removed:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    name, value = output.get("ename", "Error"), output.get("evalue", "")
                    output["traceback"] = [f"{name}: {value}"]
        return cell, resources


class CourseExecute(Execute):
    """nbgrader's execute step, starting each student's kernel with the course's data settings.

    ``mhtrain.load()`` chooses its dataset from environment variables. When nbgrader marks a
    submission, this step starts the kernel with an environment where those variables are set
    for the course (:func:`mhtrain.settings.marking_environment`): the course's copy of the
    data, solutions switched off, and, when each student has their own data, the student
    being marked and the course id, so
    the checks compute the expected answers from that student's dataset. Any such variables in
    the tutor's own environment are removed, so they never leak into marking.
    """

    per_student_data = _option(
        Bool(False), "Give each student's kernel the student and course settings."
    )
    hide_solutions = _option(
        Bool(True), "Switch off ex.qN.solution() while marking, so feedback never shows one."
    )
    quiet_kernel = _option(
        Bool(False), "Discard the kernel process's own log messages (not the notebook's output)."
    )
    use_sandbox = _option(
        Bool(False), "Run each kernel in a bubblewrap sandbox (set by `mhtrain course grade`)."
    )
    memory_mb = _option(Integer(sandbox.MEMORY_MB), "Memory (address space) a kernel may use.")
    processes = _option(Integer(sandbox.PROCESSES), "Processes a sandboxed kernel may have.")
    cpu_seconds = _option(Integer(sandbox.CPU_SECONDS), "CPU seconds a kernel may use in all.")
    file_mb = _option(Integer(sandbox.FILE_MB), "Largest file a kernel may write.")
    course_mode = _option(
        Unicode("marked"), "marked or formative: how the kernel's own checks answer while marking."
    )

    def _course_root(self) -> Path:
        section = self.config.get("CourseDirectory", {})
        return Path(section.get("root") or os.getcwd()).resolve()

    def make_sandbox(self, workdir: Path) -> sandbox.Sandbox:
        """Return the sandbox a kernel working in ``workdir`` (the marked copy) runs in.

        The course folder is hidden, except the marked copy (writable) and the course data
        (read-only); the learners' dataset cache is read-only too. The lesson sources that
        came with mhtrain (worked answers, hidden tests) are hidden as well.
        """
        from mhtrain.data import REPO_ROOT

        root = self._course_root()
        lessons = [settings.notebooks_dir(), REPO_ROOT / "notebooks"]
        return sandbox.Sandbox(
            writable=workdir.resolve(),
            readonly=[(root / DATA_FOLDER).resolve(), settings.cache_base().resolve()],
            hidden=[root, *(p.resolve() for p in lessons if p is not None and p.is_dir())],
            memory_mb=self.memory_mb,
            processes=self.processes,
            cpu_seconds=self.cpu_seconds,
            file_mb=self.file_mb,
        )

    def kernel_env(self, student_id: str | None) -> dict[str, str]:
        """Return the environment a kernel marking ``student_id`` starts with.

        Parameters
        ----------
        student_id : str or None
            The nbgrader student id being marked (None outside marking).

        Returns
        -------
        dict of str to str
        """
        section = self.config.get("CourseDirectory", {})
        root = Path(section.get("root") or os.getcwd())
        data = root / DATA_FOLDER
        return settings.marking_environment(
            data=data if (data / "manifest.json").exists() else None,
            hide_solutions=self.hide_solutions,
            student=str(student_id) if self.per_student_data and student_id else None,
            course=str(section.get("course_id") or ""),
            mode=self.course_mode or None,
        )

    @contextlib.contextmanager
    def setup_kernel(self, **kwargs: Any) -> Iterator[None]:
        """Start the kernel as nbclient does, with :meth:`kernel_env` as its environment."""
        self._marker = marking.new_marker()
        if isinstance(getattr(self, "resources", None), dict):
            self.resources[ANSWERS_KEY] = {}
        with self._start_kernel(**kwargs):
            yield

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Run one cell; after a test cell the grader decides, read its answer as plain data."""
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        call = marking.grader_call(cell)
        gid = grade_id(cell)
        if call is None or gid is None:
            return cell, resources
        exercise, variable = call
        if variable is None:
            found = marking.exercises_of(resources).get(exercise)
            variable = getattr(found, "variable", None)
        entry: dict[str, Any] = {"exercise": exercise, "variable": variable, "answer": None}
        if variable is not None:
            entry["answer"] = self._ask_for(variable)
        self.resources.setdefault(ANSWERS_KEY, {})[gid] = entry
        return cell, resources

    def _ask_for(self, variable: str) -> Any:
        """The value of ``variable`` in the kernel as plain data, or None if none came back."""
        from nbclient.util import run_sync

        printed: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            content = msg.get("content", {})
            if msg.get("msg_type") == "stream" and content.get("name") == "stdout":
                printed.append(content.get("text", ""))

        try:
            run_sync(self.kc.execute_interactive)(
                marking.kernel_query([variable], self._marker),
                store_history=False,
                allow_stdin=False,
                timeout=_REPLY_TIMEOUT,
                output_hook=hook,
            )
            return marking.read_reply("".join(printed), self._marker).get(variable)
        except Exception:  # a dead, busy or tampered kernel gives no answer: marked unreadable
            return None

    def _start_kernel(self, **kwargs: Any) -> Any:
        resources = getattr(self, "resources", None) or {}
        info = resources.get("nbgrader", {})
        kwargs.setdefault("env", self.kernel_env(info.get("student")))
        if self.quiet_kernel:
            kwargs.setdefault("stderr", subprocess.DEVNULL)
        if self.use_sandbox:
            workdir = Path(resources.get("metadata", {}).get("path") or os.getcwd())
            self.kernel_manager_class = sandbox.SandboxedKernelManager
            self.km = self.create_kernel_manager()
            self.km.sandbox = self.make_sandbox(workdir)
        return super().setup_kernel(**kwargs)


def _output_text_size(output: NotebookNode) -> int:
    kind = output.get("output_type")
    if kind == "stream":
        return len(output.get("text", ""))
    if kind == "error":
        return len(output.get("evalue", "")) + sum(len(x) for x in output.get("traceback", []))
    data = output.get("data", {})
    return sum(len(str(data[k])) for k in _TEXT_TYPES if k in data)


def _output_other_size(output: NotebookNode) -> int:
    data = output.get("data", {})
    return sum(len(str(v)) for k, v in data.items() if k not in _TEXT_TYPES)


class LimitOutputSize(NbGraderPreprocessor):
    """Cut very long cell outputs short, so one student's output cannot swamp marking or feedback.

    nbgrader's own ``LimitOutput`` counts lines, so one enormous line (or a long value shown as
    a cell's result) passes through it. This step counts characters: text beyond
    ``max_chars`` in a cell is cut, with a note saying so, and images beyond ``max_other``.
    """

    max_chars = _option(Integer(100_000), "Characters of text output kept per cell.")
    max_other = _option(Integer(5_000_000), "Characters of non-text output (images) kept per cell.")

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Cut one cell's outputs to the limits."""
        if cell.cell_type != "code" or not cell.get("outputs"):
            return cell, resources
        text_total = sum(_output_text_size(o) for o in cell.outputs)
        other_total = sum(_output_other_size(o) for o in cell.outputs)
        if text_total <= self.max_chars and other_total <= self.max_other:
            return cell, resources
        text_left, other_left = self.max_chars, self.max_other
        kept: list[NotebookNode] = []
        for output in cell.outputs:
            kind = output.get("output_type")
            if kind == "stream":
                text = output.get("text", "")
                if text_left > 0:
                    output["text"] = text[:text_left]
                    text_left -= len(output["text"])
                    kept.append(output)
            elif kind == "error":
                # Errors explain the mark, so they stay, trimmed line by line.
                output["evalue"] = output.get("evalue", "")[:2000]
                output["traceback"] = [line[:2000] for line in output.get("traceback", [])]
                kept.append(output)
            else:
                data = output.get("data", {})
                for key in list(data):
                    size = len(str(data[key]))
                    if key in _TEXT_TYPES:
                        if size > text_left:
                            del data[key]
                        else:
                            text_left -= size
                    elif size > other_left:
                        del data[key]
                    else:
                        other_left -= size
                if data:
                    kept.append(output)
        note = _CUT_NOTE.format(size=text_total + other_total, kept=self.max_chars)
        kept.append(nbformat.v4.new_output("stream", name="stderr", text="\n" + note + "\n"))
        cell.outputs = kept
        return cell, resources


def _hidden_and_visible_lines(nb: NotebookNode, begin: str, end: str) -> tuple[set[str], set[str]]:
    hidden: set[str] = set()
    visible: set[str] = set()
    for cell in nb.cells:
        inside = False
        for line in cell.get("source", "").split("\n"):
            if begin in line:
                inside = True
                continue
            if end in line:
                inside = False
                continue
            stripped = line.strip()
            if stripped:
                (hidden if inside else visible).add(stripped)
    return hidden, visible


def _scrub_text(text: str, secrets: Iterable[str]) -> tuple[str, bool]:
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        plain = _ANSI.sub("", line)
        if any(secret in plain for secret in secrets):
            lines[i] = _HIDDEN_LINE_SHOWN
            changed = True
    return "\n".join(lines), changed


class ScrubFeedback(RemoveHiddenTestsFromFeedback):
    """Remove hidden tests from feedback: from cell sources, and from every output of every cell.

    The shared step (``RemoveHiddenTestsFromFeedback``) deletes the hidden-test regions and cuts
    the tracebacks of the cells that held them to their last line. This step also looks through
    the outputs of every cell (streams, results, error messages and tracebacks, with colour codes
    removed) and replaces any line quoting a hidden-test line with a short note. Lines that also
    appear outside hidden regions are visible anyway and are left alone.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Remove hidden-test regions, then scrub every output that quotes one of their lines."""
        hidden, visible = _hidden_and_visible_lines(
            nb, self.begin_test_delimeter, self.end_test_delimeter
        )
        secrets = {line for line in hidden - visible if len(line) >= _MIN_SECRET}
        nb, resources = super().preprocess(nb, resources)
        if not secrets:
            return nb, resources
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                _scrub_output(output, secrets)
        return nb, resources


def _scrub_output(output: NotebookNode, secrets: set[str]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        output["text"], _ = _scrub_text(output.get("text", ""), secrets)
    elif kind == "error":
        output["evalue"], _ = _scrub_text(output.get("evalue", ""), secrets)
        output["traceback"] = [_scrub_text(x, secrets)[0] for x in output.get("traceback", [])]
    else:
        data = output.get("data", {})
        for key in list(data):
            if isinstance(data[key], str):
                data[key], _ = _scrub_text(data[key], secrets)


class DecideMarks(NbGraderPreprocessor):
    """Decide each ``ex.<id>.grade(...)`` test cell's mark in the grader, not the kernel.

    ``CourseExecute`` read each such cell's answer out of the learner's kernel as plain data.
    This step judges it here, with the grader's own copy of the lesson's checks and the
    verified dataset of the learner nbgrader is marking (the course's data copy, or with
    per-student data that learner's own), and replaces the cell's outputs with the verdict:
    the check's message, shown as an error when the answer is not correct, so that nbgrader's
    ``SaveAutoGrades`` gives the points. Other test cells, and written answers, are untouched.
    """

    per_student_data = _option(Bool(False), "Judge each student against their own dataset.")

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Judge every answer ``CourseExecute`` read, and write each verdict into its cell."""
        answers = resources.get(ANSWERS_KEY) or {}
        if not answers:
            return nb, resources
        from mhtrain.checks.core.state import grader_judging

        exercises = marking.exercises_of(resources)
        data = self._dataset(resources)
        for cell in nb.cells:
            entry = answers.get(grade_id(cell) or "")
            exercise = exercises.get(entry["exercise"]) if entry else None
            if exercise is None:
                continue
            with grader_judging:
                result = marking.judge(exercise, entry["answer"], data)
            cell.outputs = marking.verdict_outputs(result)
            cell.metadata[marking.METADATA_KEY] = {
                "exercise": exercise.id,
                "outcome": marking.outcome_of(result),
                "misconception": result.misconception,
            }
        return nb, resources

    def _dataset(self, resources: ResourcesDict) -> Any:
        """The verified dataset of the learner being marked, loaded in this process."""
        section = self.config.get("CourseDirectory", {})
        root = Path(section.get("root") or os.getcwd()).resolve()
        student = resources.get("nbgrader", {}).get("student")
        course = str(section.get("course_id") or "")
        return marking.grader_dataset(
            root / DATA_FOLDER,
            student=str(student) if self.per_student_data and student else None,
            course=course,
        )


_CHECKS_IMPORT = re.compile(r"^from mhtrain\.checks import lesson\d\d as \w+\s*$", re.MULTILINE)


class SetCourseMode(NbGraderPreprocessor):
    """Say the course's mode in a released notebook, in the cell that loads the checks.

    In a marked course the checks then close every way to a reference answer in the learner's
    kernel, and a multiple-choice check only says the answer was recorded; in a formative
    course every check says right or wrong at once (see the tutor guide).
    """

    mode = _option(Unicode("marked"), "marked or formative")

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Add the mode to the first cell that imports a lesson's checks."""
        line = (
            f"from mhtrain.checks import set_course_mode\nset_course_mode({self.mode!r})"
            "  # set by your course"
        )
        for cell in nb.cells:
            if cell.cell_type == "code" and _CHECKS_IMPORT.search(cell.source):
                if "set_course_mode(" not in cell.source:
                    cell.source = cell.source.rstrip("\n") + "\n" + line
                break
        return nb, resources
