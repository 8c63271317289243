"""Write the course website's generated pages and build it with Jupyter Book (v1)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mhtrain import settings
from mhtrain.course.build import build_book_lessons
from mhtrain.data import REPO_ROOT, dictionary_markdown
from mhtrain.errors import MhtrainError
from mhtrain.files import write_if_changed as _write_if_changed
from mhtrain.synth import describe_planted_effects

BOOK_DIR = "book"
LESSONS_DIR = "lessons"
GENERATED_DIR = "_generated"
REFERENCES_PAGE = "references.md"
DICTIONARY_PAGE = "data-dictionary.md"
PLANTED_PAGE = "planted-effects.md"

# The book must show the shipped course dataset, whatever the person building it has set
# for their own practice runs.
_MARKER = ".book-strict-ok"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|{}])")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------
# Small file helpers


def _sync_tree(src: Path, dest: Path) -> list[Path]:
    """Make ``dest`` hold exactly the files of ``src``, replacing only files that differ.

    Returns
    -------
    list of Path
        Every file now in ``dest``, sorted.
    """
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        new, old = src / rel, dest / rel
        if old.is_file() and old.read_bytes() == new.read_bytes():
            continue
        old.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new, old)
    for path in sorted(dest.rglob("*"), reverse=True):
        rel = path.relative_to(dest)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return sorted(dest / rel for rel in wanted)


def _escape(text: Any) -> str:
    """Escape characters that Markdown would otherwise read as markup."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(str(text).split()))


# --------------------------------------------------------------------------------------------
# References, from mhtrain/specs/sources*.yaml


def _spec_dir() -> Path:
    from mhtrain.specload import SPEC_DIR

    return SPEC_DIR


def _cited_sources(node: Any) -> Iterable[str]:
    """Yield every source id named under a ``source`` or ``sources`` key in a parsed spec."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("source", "sources"):
                values = value if isinstance(value, list) else [value]
                yield from (v for v in values if isinstance(v, str))
            else:
                yield from _cited_sources(value)
    elif isinstance(node, list):
        for item in node:
            yield from _cited_sources(item)


# What each spec file holds, in words, for "Used in" on the references page. ``{part}`` is the
# top-level entry that cites the source: a section of the scenario, a code list or a table.
_SPEC_PARTS = {
    "codes": "the code list for {part}",
    "schema": "the data dictionary: {part}",
    "standard_populations": "age standardisation: the {part} standard population",
}
_SCENARIO_PART = "the synthetic data: {part}"
_SCENARIO_TARGETS = "the checks that the synthetic data match published figures"


def _humane(key: str) -> str:
    """A spec key as words: ``mha_legal_status`` -> ``Mental Health Act legal status``."""
    words = ["Mental Health Act" if word == "mha" else word for word in key.split("_")]
    return " ".join(words).strip()


def _spec_part(path: Path, key: str, value: Any, document: Mapping[str, Any]) -> str:
    """Say in words which part of the course data a top-level spec entry is."""
    if path.stem == "schema" and isinstance(value, Mapping) and value.get("title"):
        return _SPEC_PARTS["schema"].format(part=str(value["title"]).strip())
    if path.stem in _SPEC_PARTS:
        part = key.upper() if path.stem == "standard_populations" else _humane(key)
        return _SPEC_PARTS[path.stem].format(part=part)
    if "scenario" in document:
        return _SCENARIO_TARGETS if key == "targets" else _SCENARIO_PART.format(part=_humane(key))
    return f"the course data ({_humane(path.stem)}: {_humane(key)})"


def source_usage(spec_dir: Path | None = None) -> dict[str, list[str]]:
    """Map each source id to the parts of the course data that cite it, in words.

    A part is a top-level entry of a spec file other than the source lists: a section of the
    scenario ("the synthetic data: detention"), a code list, a table of the data dictionary
    or the standard population.

    Parameters
    ----------
    spec_dir
        Folder of YAML specs; the package's ``mhtrain/specs`` by default.

    Returns
    -------
    dict
        Source id to a sorted list of phrases.
    """
    from mhtrain.specload import read_yaml

    spec_dir = Path(spec_dir) if spec_dir is not None else _spec_dir()
    usage: dict[str, set[str]] = {}
    for path in sorted(spec_dir.glob("*.yaml")):
        if path.name.startswith("sources"):
            continue
        document = read_yaml(path)
        entries = document.items() if isinstance(document, Mapping) else [("", document)]
        for key, value in entries:
            if key in ("source", "sources"):
                value = {key: value}
            for source_id in _cited_sources(value):
                part = _spec_part(path, str(key), value, document)
                usage.setdefault(source_id, set()).add(part)
    return {key: sorted(parts) for key, parts in usage.items()}


def lesson_usage(
    sources: Mapping[str, Mapping[str, Any]], *, source_dir: Path | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Map each source id to the lessons whose text names it (its title or its address).

    Parameters
    ----------
    sources
        Source id to its entry (``title`` and ``url``), as from
        :func:`mhtrain.specload.load_sources`.
    source_dir
        The lesson sources; by default :func:`mhtrain.course.lessons.lessons_dir`.

    Returns
    -------
    dict
        Source id to a list of (lesson title, lesson id), in lesson order.
    """
    from mhtrain.course.lessons import lesson_sources, read_lesson

    lessons = [read_lesson(path) for path in lesson_sources(source_dir=source_dir)]
    texts = [(lesson, lesson.path.read_text(encoding="utf-8")) for lesson in lessons]
    found: dict[str, list[tuple[str, str]]] = {}
    for key, entry in sources.items():
        names = [str(entry.get(k, "")).strip() for k in ("title", "url")]
        for lesson, text in texts:
            if any(name and name in text for name in names):
                found.setdefault(key, []).append((lesson.title, lesson.id))
    return found


def _site_name(url: str) -> str:
    """Return the host of a web address without ``www.``, as short link text."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def render_references(
    sources: Mapping[str, Mapping[str, Any]],
    *,
    usage: Mapping[str, list[str]] | None = None,
    lessons: Mapping[str, list[tuple[str, str]]] | None = None,
) -> str:
    """Return the MyST text of the references page.

    Parameters
    ----------
    sources
        Source id to a mapping with ``title``, ``publisher``, ``year`` and ``url`` (and an
        optional ``doi``), as returned by :func:`mhtrain.specload.load_sources`.
    usage
        Optional source id to the parts of the course data that cite it, in words (see
        :func:`source_usage`), shown under each entry.
    lessons
        Optional source id to the (title, id) of each lesson that names it (see
        :func:`lesson_usage`), linked under each entry.

    Returns
    -------
    str
        A Markdown page with one labelled entry per source (label ``source-<id>``), sorted by
        title.
    """
    usage = usage or {}
    lessons = lessons or {}
    lines = [
        "# References",
        "",
        "Every published figure behind the synthetic data, and every statistical method the",
        "lessons teach, comes from one of these sources. The list is made from the course's",
        "data files each time the site is built, so it always matches the data.",
        "",
    ]
    if not sources:
        lines += ["No sources are listed in this version of the course data.", ""]
    ordered = sorted(sources.items(), key=lambda kv: (str(kv[1].get("title", "")).lower(), kv[0]))
    for key, entry in ordered:
        url = str(entry["url"]).strip()
        lines += [
            f"(source-{key.lower()})=",
            f"**{_escape(entry['title'])}**  ",
            f"{_escape(entry['publisher'])}, {_escape(entry['year'])}.  ",
            f"Available from [{_escape(_site_name(url))}]({url})",
        ]
        doi = entry.get("doi")
        if doi:
            doi_url = f"https://doi.org/{str(doi).strip()}"
            lines[-1] += "  "
            lines.append(f"DOI: [{_escape(doi)}]({doi_url})")
        named = [
            # a {doc} role: a link in the book, plain words in a workspace's copy of the page
            "{doc}`Lesson "
            + re.sub(r"[`<>]", "", " ".join(title.split()))
            + f" <{LESSONS_DIR}/{lesson}>`"
            for title, lesson in lessons.get(key, [])
        ]
        parts = named + [_escape(part) for part in usage.get(key, [])]
        if parts:
            lines[-1] += "  "
            lines.append("Used in: " + "; ".join(parts) + ".")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_references(book_dir: Path, *, spec_dir: Path | None = None) -> Path:
    """Write ``references.md`` into ``book_dir`` from the specs' source lists.

    Parameters
    ----------
    book_dir
        The book's page folder (``book/``).
    spec_dir
        Folder of YAML specs; the package's ``mhtrain/specs`` by default.

    Returns
    -------
    Path
        The page written.
    """
    from mhtrain.specload import load_sources

    spec_dir = Path(spec_dir) if spec_dir is not None else _spec_dir()
    sources = load_sources(spec_dir)
    text = render_references(sources, usage=source_usage(spec_dir), lessons=lesson_usage(sources))
    path = Path(book_dir) / REFERENCES_PAGE
    _write_if_changed(path, text)
    return path


# --------------------------------------------------------------------------------------------
# Planted inequalities, from the generator when it can describe them


def write_planted_effects(book_dir: Path) -> Path:
    """Write the include that lists the planted inequalities on the "About the data" page.

    The generator owns the description: the Markdown of
    :func:`mhtrain.synth.describe_planted_effects`.

    Parameters
    ----------
    book_dir
        The book's page folder (``book/``).

    Returns
    -------
    Path
        The include file written.
    """
    text = describe_planted_effects()
    if not isinstance(text, str) or not text.strip():
        raise MhtrainError(
            "mhtrain.synth.describe_planted_effects() returned no Markdown; make it return the "
            "list of effects"
        )
    path = Path(book_dir) / GENERATED_DIR / PLANTED_PAGE
    _write_if_changed(path, text.rstrip() + "\n")
    return path


# --------------------------------------------------------------------------------------------
# Data dictionary, from the schema


def write_data_dictionary(book_dir: Path) -> Path:
    """Write ``data-dictionary.md`` into ``book_dir`` and return it.

    The page is the Markdown that ``mhtrain describe --format markdown`` prints.
    """
    path = Path(book_dir) / DICTIONARY_PAGE
    _write_if_changed(path, dictionary_markdown().rstrip() + "\n")
    return path


# --------------------------------------------------------------------------------------------
# Lessons, from mhtrain.course.build


def repository_setting(root: Path | None = None) -> tuple[str, str]:
    """Return the course repository's address and branch from ``_config.yml`` (``""`` if unset).

    ``repository.url`` is the one place the address is written; the site extension
    (``book/_ext/mhtrain_site.py``) checks it when the book is built.
    """
    import yaml

    root = Path(root) if root is not None else REPO_ROOT
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    repository = config.get("repository") or {}
    url = str(repository.get("url") or "").strip()
    return url, str(repository.get("branch") or "main").strip()


def write_lessons(
    book_dir: Path, *, answers: bool = True, repository: str = "", branch: str = "main"
) -> list[Path]:
    """Write the lesson pages into ``book_dir/lessons`` (only files whose content changed).

    Parameters
    ----------
    book_dir
        The book's page folder (``book/``).
    answers
        Keep worked answers (folded); ``False`` writes the cohort version without solutions.
    repository, branch
        The course repository (see :func:`repository_setting`); when set, each lesson's first
        cell installs the course where it is missing, as in Colab or Binder.

    Returns
    -------
    list of Path
        The lesson files now in the folder.
    """
    dest = Path(book_dir) / LESSONS_DIR
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".lessons-", dir=dest.parent) as tmp:
        build_book_lessons(Path(tmp), answers=answers, repository=repository, branch=branch)
        return _sync_tree(Path(tmp), dest)


# --------------------------------------------------------------------------------------------
# The build


def _book_env() -> dict[str, str]:
    # MPLBACKEND is dropped too: lessons must draw with the kernel's inline backend, or their
    # figures never reach the page.
    env = settings.without_personal(drop=("MPLBACKEND",))
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def output_dir(*, answers: bool = True, root: Path | None = None) -> Path:
    """Return the folder that holds a build: ``_build`` or, for the cohort, ``_build/cohort``.

    The HTML is in its ``html`` sub-folder (``_build/cohort/_build/html`` for the cohort).
    """
    root = Path(root) if root is not None else REPO_ROOT
    return root / "_build" if answers else root / "_build" / "cohort" / "_build"


#: What the built pages depend on besides their own text: the library (with its specs), the
#: data, and the site's own Sphinx extension, below the book root.
FINGERPRINTED = ("mhtrain", "synthetic_data", f"{BOOK_DIR}/_ext")


def _fingerprint(root: Path, *, answers: bool) -> str:
    """Hash what the built pages depend on besides their own text (see :data:`FINGERPRINTED`).

    A change to any of it makes the next strict build start afresh.
    """
    digest = hashlib.sha256(f"answers={answers}\n".encode())
    folders = [root / folder for folder in FINGERPRINTED]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.suffix in (".pyc",):
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def write_generated_pages(*, answers: bool = True, root: Path | None = None) -> dict[str, Any]:
    """Write every generated page: lessons, references, planted effects, data dictionary.

    Parameters
    ----------
    answers
        Keep worked answers in the lessons; ``False`` for the cohort build.
    root
        The book root (the repository root by default).

    Returns
    -------
    dict
        ``lessons`` (list of Path), ``references``, ``planted_effects`` and
        ``data_dictionary`` (Path).
    """
    root = Path(root) if root is not None else REPO_ROOT
    book_dir = root / BOOK_DIR
    repository, branch = repository_setting(root)
    return {
        "lessons": write_lessons(book_dir, answers=answers, repository=repository, branch=branch),
        "references": write_references(book_dir),
        "planted_effects": write_planted_effects(book_dir),
        "data_dictionary": write_data_dictionary(book_dir),
    }


#: Log lines that say nothing about the book: a kernel's warning at start, and pyzmq's report of
#: a message arriving on a kernel's socket just closed (a race at kernel shut-down, harmless).
_NOISE = (
    "running over TCP without encryption",
    "Uncaught exception in ZMQStream callback",
    "zmq.error.ZMQError: Socket operation on non-socket",
)
_WRAPPER_ERRORS = ("CellExecutionError", "ExecutionError", "RuntimeError")
# An exception line as Python prints it: a class name, a colon, the message.
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt): ")


def _saved_tracebacks(log: str) -> list[str]:
    """The text of each traceback file Sphinx says it saved (``sphinx-err-*.log``)."""
    texts = []
    for saved in re.findall(r"traceback has been saved in (\S+?\.log)", log):
        try:
            texts.append(Path(saved).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return texts


def _first_problem(log: str) -> str:
    """Sum up a failed build's log in one line: the first warning and the first real error.

    When Sphinx itself crashed, the error is the last exception in its saved traceback.
    """
    lines = [" ".join(line.split()) for line in log.splitlines()]
    lines = [line for line in lines if line and not any(n in line for n in _NOISE)]
    warning = next((ln for ln in lines if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", ln)), "")
    errors = [
        ln
        for ln in lines
        if _EXCEPTION_LINE.match(ln) and not ln.split(":")[0].endswith(_WRAPPER_ERRORS)
    ]
    if not errors:
        for text in _saved_tracebacks(log):
            errors += [
                " ".join(ln.split()) for ln in text.splitlines() if _EXCEPTION_LINE.match(ln)
            ][-1:]
    parts = [part[:200] for part in (warning, errors[0] if errors else "") if part]
    if not parts:
        parts = [lines[-1][:200]] if lines else ["no output"]
    return "; ".join(parts)


def build_book(
    *,
    answers: bool = True,
    strict: bool = True,
    root: Path | None = None,
    echo: bool = False,
) -> Path:
    """Write the generated pages, then build the website with Jupyter Book.

    Parameters
    ----------
    answers
        ``True`` builds the public book (worked answers folded) into ``_build/html``;
        ``False`` builds the cohort book (no solution code) into ``_build/cohort/_build/html``.
    strict
        Treat every Sphinx warning and broken reference as an error
        (``jupyter-book build . -W -n --keep-going``).
    root
        The book root (the repository root by default); the benchmark builds a copy.
    echo
        Print the build's output as it runs (it is always saved to a log file).

    Returns
    -------
    Path
        The folder of HTML pages (open its ``index.html``).

    Raises
    ------
    MhtrainError
        If a page cannot be generated or the build fails (the message names the log file).
    """
    root = Path(root) if root is not None else REPO_ROOT
    _check_root(root)
    # The public and cohort books share their source pages and execution caches' folder, so
    # one build at a time per book root: a second build waits instead of spoiling the first.
    with _build_lock(root):
        write_generated_pages(answers=answers, root=root)
        return run_jupyter_book(root=root, answers=answers, strict=strict, echo=echo)


_LOCK_NAME = ".book-build.lock"
_LOCK_WAIT_SECONDS = 3600


@contextlib.contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    """Hold the book root's build lock, waiting (and saying so) while another build holds it."""
    from filelock import FileLock, Timeout

    folder = root / "_build"
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / _LOCK_NAME)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(
            f"Another book build is running in {root}; waiting for it to finish.",
            file=sys.stderr,
            flush=True,
        )
        try:
            lock.acquire(timeout=_LOCK_WAIT_SECONDS)
        except Timeout:
            raise MhtrainError(
                f"another book build in {root} has held {folder / _LOCK_NAME} for over an "
                "hour; stop it (or delete that file if no build is running) and try again"
            ) from None
    try:
        yield
    finally:
        lock.release()


def _check_root(root: Path) -> None:
    if not (root / "_config.yml").is_file() or not (root / "_toc.yml").is_file():
        raise MhtrainError(f"{root} has no _config.yml and _toc.yml; run from the repository")


def run_jupyter_book(
    *,
    root: Path | None = None,
    answers: bool = True,
    strict: bool = True,
    echo: bool = False,
) -> Path:
    """Run ``jupyter-book build`` on pages already written; return the HTML folder.

    Parameters
    ----------
    root
        The book root (the repository root by default).
    answers
        Build into ``_build`` (``True``) or the cohort folder ``_build/cohort`` (``False``).
    strict
        Add ``-W -n --keep-going``: any warning or broken reference fails the build.
    echo
        Print the build's output as it runs (it is always saved to a log file).

    Returns
    -------
    Path
        The folder of HTML pages.

    Raises
    ------
    MhtrainError
        If the build fails; the message names the log file.
    """
    root = Path(root) if root is not None else REPO_ROOT
    _check_root(root)
    out = output_dir(answers=answers, root=root)
    out.mkdir(parents=True, exist_ok=True)
    marker = out / _MARKER
    fingerprint = _fingerprint(root, answers=answers)
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", "."]
    if not answers:
        cmd += ["--path-output", str(out.parent.relative_to(root))]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    fresh = not marker.is_file() or marker.read_text(encoding="utf-8").strip() != fingerprint
    if fresh:
        # Sphinx reports warnings only for pages it re-reads, and cached notebook outputs know
        # nothing of library or data changes: after a failed, loose or outdated build, start
        # again from a fresh environment and an empty execution cache.
        shutil.rmtree(out / ".jupyter_cache", ignore_errors=True)
        cmd.append("--all")
    marker.unlink(missing_ok=True)

    log_path = out / ("book-build.log" if answers else "cohort-build.log")
    code = _run_logged(cmd, root, log_path, echo=echo)
    if code != 0 and _cache_trouble(log_path.read_text(encoding="utf-8")):
        # The execution cache's database can be left unusable (for example when its folder was
        # removed while open); it only saves time, so clear it and build once more.
        shutil.rmtree(out / ".jupyter_cache", ignore_errors=True)
        code = _run_logged(
            [*cmd, "--all"] if "--all" not in cmd else cmd, root, log_path, echo=echo
        )
    html = out / "html"
    if code != 0 or not (html / "index.html").is_file():
        problem = _first_problem(log_path.read_text(encoding="utf-8"))
        raise MhtrainError(f"the book build failed ({problem}); the full log is in {log_path}")
    if strict:
        marker.write_text(fingerprint + "\n", encoding="utf-8")
    return html


_CACHE_TROUBLE = ("accessing jupyter cache", "readonly database", "hashkey already exists")


def _cache_trouble(log: str) -> bool:
    """Whether a failed build failed in the execution cache (its log or saved traceback says so)."""
    texts = [log, *_saved_tracebacks(log)]
    return any(marker in text for text in texts for marker in _CACHE_TROUBLE)


def _run_logged(cmd: list[str], root: Path, log_path: Path, *, echo: bool) -> int:
    """Run a build command, writing its output to ``log_path`` (and the screen when asked)."""
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=_book_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            line = _ANSI.sub("", line)
            log.write(line)
            if echo:
                print(line, end="", flush=True)
        return proc.wait()
