"""The loader's public entry points: load a source, validate one, load the bundled data.

One pipeline for every source, all-or-nothing:

    read (size cap, checksum) -> unchanged? stop -> parse -> personal-data guard and rules
    -> map to triples -> SHACL -> across sources -> one store.replace_graphs() call (source graph
    + provenance, the graphs --replace-source names removed, and the ontology graph when it is
    missing or its files changed)

Across sources: a review or child is stated by one source only, so a file holding a review or
child that another source's graph already holds is refused (no silent merge; ``replace`` names
the graph to remove in the same write), and the nodes a new graph shares with the others are
validated against the shapes together with what the other graphs say about them, so that the
store as a whole conforms to ontology/shapes.ttl (see :func:`check_across_sources`).

Nothing is written until the whole file has passed, so a refused file leaves the store exactly as
it was. Errors are :class:`~scrkg.loader.errors.LoadError` subclasses that name the file, the row
or line, the field and the rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

import pyoxigraph as ox

from scrkg.graph.errors import SettingError
from scrkg.graph.settings import setting
from scrkg.graph.store import Store
from scrkg.loader import provenance
from scrkg.loader.drafts import evidence_triples, is_draft, read_draft
from scrkg.loader.errors import (
    LoadError,
    ProblemLog,
    RuleError,
    ShapeError,
    SourceFormatError,
    SourceTooLargeError,
    TooManyProblems,
    combine,
)
from scrkg.loader.guard import guard_triples
from scrkg.loader.iris import Minter, check_base
from scrkg.loader.mapping import FIELD_OF_PREDICATE, IS_SYNTHETIC, RDF_TYPE, Mapper
from scrkg.loader.rdf import RDF_FORMATS, read_rdf, refused_format_message
from scrkg.loader.records import CodedDataset, Progress, Review, Vocabulary
from scrkg.loader.tabular import READERS, refuse_nul_bytes
from scrkg.loader.validation import CHUNK_REVIEWS, ShapesValidator, Violation, compact, report
from scrkg.ontology import CONCEPTS_FILE, DEFAULT_BASE, ONTOLOGY_FILE, ONTOLOGY_IRI, SCR

#: The largest source file read, unless SCRKG_MAX_SOURCE_MB or ``max_bytes`` says otherwise.
MAX_BYTES_SETTING = "SCRKG_MAX_SOURCE_MB"  # in MiB; graph/settings.py gives its default

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
BUNDLED_SOURCES = (BUNDLED_DIR / "ofsted-2009-10.ttl", BUNDLED_DIR / "synthetic-cohort-2009-10.csv")
ONTOLOGY_FILES = (ONTOLOGY_FILE, CONCEPTS_FILE)

Status = Literal["loaded", "replaced", "unchanged", "removed"]

#: The property of a source graph that holds the name of the file it was loaded from.
SOURCE_FILE = provenance.DCTERMS + "source"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load did.

    ``records`` counts what was read: rows of a CSV file, children of a JSON file, triples of an
    RDF file. ``triples`` counts the triples now in the source's graph (provenance included); 0
    when the source was unchanged and nothing was written, or when the graph was ``"removed"``
    (a graph that ``replace`` named; ``file`` is then the file it had been loaded from).
    """

    graph: str
    status: Status
    triples: int
    checksum: str
    records: int
    file: str = ""


@dataclass(slots=True)
class ValidationReport:
    """What :func:`validate_source` found: ``conforms`` is False when ``problems`` is not empty.

    ``triples`` is how many triples a load would write (provenance excluded); ``warnings`` are
    SHACL results of severity Warning or Info, which do not stop a load.
    """

    file: str
    graph: str | None
    conforms: bool
    checksum: str | None = None
    records: int = 0
    triples: int = 0
    problems: list[LoadError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.conforms:
            return f"{self.file}: valid ({self.triples} triples from {self.records} records)"
        return str(combine(self.problems))


# -- public API ---------------------------------------------------------------------------------


def load_source(
    store: Store,
    path: str | os.PathLike[str],
    *,
    base: str = DEFAULT_BASE,
    graph: str | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    replace: Sequence[str] = (),
) -> LoadResult:
    """Load one source file into its own named graph, replacing what that graph held.

    The format follows the extension: ``.csv``/``.json`` are coded reviews
    (docs/input-formats.md), or drafts when a CSV header has ``accept`` and ``quote`` columns
    or a JSON file's key is ``draft`` (loader/drafts.py: the accepted rows, with their
    evidence), ``.ttl .nt .nq .trig .jsonld`` are RDF. The graph is ``graph`` or
    ``{base}graph/{slug of the file name}``. A file whose checksum and loader version match the
    graph already stored is not read again: the result says ``"unchanged"`` and nothing is
    written (except the ontology graph, if its files changed). Raises :class:`LoadError` (a
    subclass naming file, location, field and rule) and leaves the store as it was.

    A review or child that another source's graph holds is refused; ``replace`` names source
    graphs (by graph IRI or by the name of the file they were loaded from) to remove in the same
    write, e.g. the older file the new one supersedes.
    """
    source = _prepare(
        Path(path), base=base, graph=graph, validate=validate, progress=progress,
        store=store, max_bytes=max_bytes,
    )  # fmt: skip
    return _commit(store, [source], progress, replace=replace, validate=validate)[0]


def validate_source(
    path: str | os.PathLike[str],
    *,
    base: str = DEFAULT_BASE,
    graph: str | None = None,
    raise_on_error: bool = True,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> ValidationReport:
    """Everything :func:`load_source` does except writing.

    Raises the :class:`LoadError` a load would raise, or with ``raise_on_error=False`` returns a
    report with ``conforms=False`` and the problems.
    """
    path = Path(path)
    try:
        source = _prepare(
            path, base=base, graph=graph, validate=True, progress=progress,
            store=None, max_bytes=max_bytes,
        )  # fmt: skip
    except LoadError as error:
        if raise_on_error:
            raise
        return ValidationReport(path.name, graph, conforms=False, problems=error.problems)
    return ValidationReport(
        file=path.name,
        graph=source.graph,
        conforms=True,
        checksum=source.checksum,
        records=source.records,
        triples=sum(1 for _ in source.triples()),
        warnings=[_warning_text(w) for w in source.warnings],
    )


def load_bundled(
    store: Store, *, base: str = DEFAULT_BASE, progress: Progress | None = None
) -> list[LoadResult]:
    """Load the bundled 2009-10 report (Turtle) and synthetic cohort (CSV), and the ontology.

    Everything that changed is written in one ``replace_graphs`` call; loading again changes
    nothing (every result then says ``"unchanged"``).
    """
    sources = [
        _prepare(p, base=base, graph=None, validate=True, progress=progress, store=store)
        for p in BUNDLED_SOURCES
    ]
    return _commit(store, sources, progress)


def load_sources(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    base: str = DEFAULT_BASE,
    graph: str | None = None,
    bundled: bool = False,
    progress: Progress | None = None,
    replace: Sequence[str] = (),
) -> list[LoadResult]:
    """Load several sources (and the bundled data when ``bundled``) in one write.

    Every source is read and checked before anything is written, so one refused file leaves the
    store as it was. Two sources that would get the same graph IRI (``a/reviews.csv`` and
    ``b/reviews.csv``) are refused before any is read: the second would replace the first.
    ``replace`` names source graphs to remove in the same write (see :func:`load_source`); the
    results end with one ``"removed"`` result for each.
    """
    sources = [(path, None) for path in BUNDLED_SOURCES] if bundled else []
    sources += [(Path(path), graph) for path in paths]
    graphs = [_graph_iri(path, base, named) for path, named in sources]
    check_distinct_graphs([path for path, _ in sources], graphs)
    prepared = [
        _prepare(path, base=base, graph=named, validate=True, progress=progress, store=store)
        for path, named in sources
    ]
    return _commit(store, prepared, progress, replace=replace)


def check_distinct_graphs(paths: Sequence[Path], graphs: Sequence[str]) -> None:
    """Refuse two sources of one load that would be written to the same named graph."""
    first: dict[str, Path] = {}
    for path, graph in zip(paths, graphs, strict=True):
        if graph not in first:
            first[graph] = path
            continue
        raise LoadError(
            f"{first[graph]} and {path} would both be loaded into the graph <{graph}>, and the "
            "second would replace the first; rename one of the files, or load each on its own "
            "with --graph to give it a graph of its own",
            rule="graph-clash",
        )


# -- the pipeline -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Source:
    """A source read, checked and mapped, ready to be written (or found unchanged)."""

    path: Path
    graph: str
    checksum: str
    unchanged: bool = False
    records: int = 0
    triples: Callable[[], Iterator[ox.Triple]] = lambda: iter(())
    synthetic: bool = False
    title: str | None = None
    started: dt.datetime | None = None
    warnings: list[Violation] = field(default_factory=list)
    #: Where each node came from in the file (``"row 7"``), for coded sources.
    locations: Callable[[], Mapping[str, str]] = dict
    #: A draft (loader/drafts.py): its ids are in the review_id and child_id columns.
    draft: bool = False


def _prepare(
    path: Path,
    *,
    base: str,
    graph: str | None,
    validate: bool,
    progress: Progress | None,
    store: Store | None,
    max_bytes: int | None = None,
) -> _Source:
    started = provenance.now()
    file = path.name
    try:
        check_base(base)
    except ValueError as error:
        raise LoadError(str(error), file=file, rule="base") from None
    suffix = path.suffix.lower()
    if suffix not in READERS and suffix not in RDF_FORMATS:
        raise SourceFormatError(refused_format_message(suffix), file=file, rule="format")
    data = _read(path, max_bytes)
    checksum = provenance.sha256(data)
    graph_iri = _graph_iri(path, base, graph)
    if store is not None and _unchanged(store, graph_iri, checksum):
        return _Source(path, graph_iri, checksum, unchanged=True)
    if suffix in READERS and is_draft(data, suffix):
        source = _prepare_draft(data, path, base, graph_iri, validate, progress)
    elif suffix in READERS:
        source = _prepare_coded(data, path, base, graph_iri, validate, progress)
    else:
        source = _prepare_rdf(data, path, base, graph_iri, validate, progress)
    source.checksum = checksum
    source.started = started
    return source


def _read(path: Path, max_bytes: int | None) -> bytes:
    """The file's bytes, refused before reading when it is over the size cap."""
    cap = max_bytes if max_bytes is not None else max_source_bytes()
    try:
        size = path.stat().st_size
        if size > cap:
            raise SourceTooLargeError(
                f"is {size / 2**20:.1f} MiB, over the {cap / 2**20:g} MiB limit for one source; "
                f"split it into smaller files, or raise the limit with {MAX_BYTES_SETTING}",
                file=path.name,
            )
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise LoadError(f"cannot be read: {error.strerror}", file=str(path), rule="file") from None


def max_source_bytes() -> int:
    """The size cap in bytes, from the setting SCRKG_MAX_SOURCE_MB (MiB)."""
    try:
        return int(setting(MAX_BYTES_SETTING) * 2**20)
    except SettingError as error:
        raise LoadError(str(error), rule="setting") from None


def _graph_iri(path: Path, base: str, graph: str | None) -> str:
    try:
        iri = ox.NamedNode(graph).value if graph else Minter(base).graph(path.stem).value
    except ValueError as error:
        raise LoadError(f"cannot name the graph: {error}", file=path.name, rule="graph") from None
    if iri == ONTOLOGY_IRI:
        raise LoadError(
            f"the graph <{iri}> is reserved for the ontology; choose another --graph",
            file=path.name,
            rule="graph",
        )
    return iri


def _unchanged(store: Store, graph: str, checksum: str) -> bool:
    return (
        store.graph_value(graph, provenance.CHECKSUM) == checksum
        and store.graph_value(graph, provenance.LOADER_VERSION) == provenance.loader_version()
    )


def _prepare_coded(
    data: bytes, path: Path, base: str, graph: str, validate: bool, progress: Progress | None
) -> _Source:
    vocabulary = Vocabulary.from_file()
    dataset = READERS[path.suffix.lower()](data, path.name, vocabulary, progress)
    mapper = Mapper(vocabulary, base)
    warnings = _validate_coded(dataset, mapper, path.name, progress) if validate else []
    return _Source(
        path,
        graph,
        checksum="",
        records=dataset.records,
        triples=lambda: mapper.triples(dataset.reviews),
        synthetic=dataset.synthetic,
        title=dataset.title or f"Coded reviews from {path.name}",
        warnings=warnings,
        locations=lambda: mapper.locations(dataset.reviews),
    )


def _prepare_draft(
    data: bytes, path: Path, base: str, graph: str, validate: bool, progress: Progress | None
) -> _Source:
    """A draft (loader/drafts.py): its accepted rows as a coded review, with their evidence."""
    vocabulary = Vocabulary.from_file()
    draft = read_draft(data, path.name, vocabulary, path.suffix.lower())
    mapper = Mapper(vocabulary, base)
    evidence, evidence_rows = evidence_triples(draft, mapper)
    warnings: list[Violation] = []
    if validate:
        warnings = _validate_coded(draft.dataset, mapper, path.name, progress)
        log = ProblemLog(path.name)
        try:
            violations = ShapesValidator().violations(evidence)
            warnings += report(violations, log, locations=evidence_rows)
        except TooManyProblems:
            pass
        log.raise_if_any()
    return _Source(
        path,
        graph,
        checksum="",
        records=draft.dataset.records,
        triples=lambda: chain(mapper.triples(draft.dataset.reviews), evidence),
        synthetic=draft.dataset.synthetic,
        title=f"Coded review confirmed from the draft {path.name}",
        warnings=warnings,
        locations=lambda: {**mapper.locations(draft.dataset.reviews), **evidence_rows},
        draft=True,
    )


def _validate_coded(
    dataset: CodedDataset, mapper: Mapper, file: str, progress: Progress | None
) -> list[Violation]:
    """SHACL over the mapped reviews, chunk by chunk (the shapes are node-local).

    A source of several chunks is validated by worker processes, one per core: building the
    rdflib graph and running pySHACL is pure Python, so this is what halves a large load.
    """
    log = ProblemLog(file)
    warnings: list[Violation] = []
    reviews = dataset.reviews
    chunks = [reviews[i : i + CHUNK_REVIEWS] for i in range(0, len(reviews), CHUNK_REVIEWS)]
    workers = min(len(chunks), os.cpu_count() or 1)
    pool = None
    if workers > 1:
        # "spawn", not "fork": the parent may hold store handles with threads of their own.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        results = pool.map(_chunk_violations, itertools.repeat(mapper), chunks)
    else:
        results = (_chunk_violations(mapper, chunk) for chunk in chunks)
    done = 0
    try:
        for chunk, violations in zip(chunks, results, strict=True):
            if violations:
                warnings += report(
                    violations, log, locations=mapper.locations(chunk), fields=FIELD_OF_PREDICATE
                )
            done += len(chunk)
            if progress:
                progress("validate", done, len(reviews))
    except TooManyProblems:
        pass
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    log.raise_if_any()
    return warnings


def _chunk_violations(mapper: Mapper, chunk: Sequence[Review]) -> list[Violation]:
    """The SHACL results for one chunk of reviews (run in a worker process on large sources)."""
    boards: set[str] = set()
    triples = [t for review in chunk for t in mapper.review(review, boards)]
    return ShapesValidator().violations(triples)


def _prepare_rdf(
    data: bytes, path: Path, base: str, graph: str, validate: bool, progress: Progress | None
) -> _Source:
    file = path.name
    refuse_nul_bytes(data, file)  # valid in a Turtle string, but no case review needs one
    triples = read_rdf(data, file, path.suffix.lower(), base_iri=base, progress=progress)
    log = ProblemLog(file)
    warnings: list[Violation] = []
    try:
        _refuse_self_description(triples, graph, log)
        guard_triples(triples, log)
        log.raise_if_any()
        if validate:
            violations = ShapesValidator().violations(triples)
            warnings = report(violations, log)
            if progress:
                progress("validate", len(triples), len(triples))
    except TooManyProblems:
        pass
    log.raise_if_any()
    return _Source(
        path,
        graph,
        checksum="",
        records=len(triples),
        triples=lambda: iter(triples),
        synthetic=_all_synthetic(triples),
        title=f"RDF loaded from {file}",
        warnings=warnings,
    )


def _refuse_self_description(triples: Sequence[ox.Triple], graph: str, log: ProblemLog) -> None:
    """A source must not describe the graph it is loaded into: the loader writes that."""
    node = ox.NamedNode(graph)
    for triple in triples:
        if triple.subject == node:
            log.add(
                RuleError(
                    f"the source states {triple.predicate} about its own graph <{graph}>; the "
                    "loader writes the graph's provenance itself, remove these statements",
                    location=f"subject <{graph}>",
                    field=str(triple.predicate),
                    rule="graph-self-description",
                )
            )
            return


def _all_synthetic(triples: Sequence[ox.Triple]) -> bool:
    """True when every typed record (review, child) in an RDF source is marked synthetic."""
    record_types = {
        SCR + "Child",
        SCR + "CaseReview",
        *Vocabulary.from_file().review_classes.values(),
    }
    records = {
        t.subject for t in triples if t.predicate == RDF_TYPE and t.object.value in record_types
    }
    if not records:
        return False
    synthetic = {
        t.subject for t in triples if t.predicate == IS_SYNTHETIC and t.object.value == "true"
    }
    return records <= synthetic


def _ontology_graph(store: Store) -> list[ox.Triple] | None:
    """The ontology graph's triples when the store lacks it or its files changed, else None."""
    data = [f.read_bytes() for f in ONTOLOGY_FILES]
    checksum = provenance.sha256(*data)
    if _unchanged(store, ONTOLOGY_IRI, checksum):
        return None
    started = provenance.now()
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for content in data
        for q in ox.parse(content, ox.RdfFormat.TURTLE, rename_blank_nodes=True)
    ]
    description = provenance.SourceDescription(
        graph=ONTOLOGY_IRI,
        files=tuple(f.name for f in ONTOLOGY_FILES),
        checksum=checksum,
        started=started,
        ended=provenance.now(),
    )
    return triples + description.triples()


def _commit(
    store: Store,
    sources: list[_Source],
    progress: Progress | None,
    *,
    replace: Sequence[str] = (),
    validate: bool = True,
) -> list[LoadResult]:
    """Write every changed source, and the ontology if needed, in one replace_graphs call.

    Before writing: the graphs ``replace`` names are found, and the sources are checked against
    the rest of the store (:func:`check_across_sources`); both raise and write nothing.
    """
    present = set(store.named_graphs())
    removed = replaced_graphs(store, replace, {source.graph for source in sources})
    check_across_sources(store, sources, removed, shapes=validate)
    graphs: dict[str, Iterator[ox.Triple] | list[ox.Triple]] = {}
    ontology = _ontology_graph(store)
    if ontology is not None:
        graphs[ONTOLOGY_IRI] = ontology
    for source in sources:
        if source.unchanged:
            continue
        description = provenance.SourceDescription(
            graph=source.graph,
            files=(source.path.name,),
            checksum=source.checksum,
            started=source.started or provenance.now(),
            ended=provenance.now(),
            synthetic=source.synthetic,
            title=source.title,
        )
        graphs[source.graph] = chain(source.triples(), description.triples())
    for graph in removed:
        graphs[graph] = []
    if graphs:
        if progress:
            progress("write", 0, None)
        store.replace_graphs(graphs)
    results = []
    for source in sources:
        if source.unchanged:
            results.append(
                LoadResult(source.graph, "unchanged", 0, source.checksum, 0, source.path.name)
            )
            continue
        count = store.triple_count(source.graph)
        status: Status = "replaced" if source.graph in present else "loaded"
        results.append(
            LoadResult(
                source.graph, status, count, source.checksum, source.records, source.path.name
            )
        )
    results += [LoadResult(graph, "removed", 0, "", 0, file) for graph, file in removed.items()]
    if progress and graphs:
        progress("write", sum(r.triples for r in results), sum(r.triples for r in results))
    return results


def _warning_text(violation: Violation) -> str:
    return f"{violation.severity}: {violation.focus}: {violation.message}"


# -- across sources ------------------------------------------------------------------------------

#: How many nodes one lookup query names (in its VALUES clause).
LOOKUP_BATCH = 500


def replaced_graphs(store: Store, names: Sequence[str], loading: set[str]) -> dict[str, str]:
    """The source graphs ``names`` point at, each with the file it was loaded from.

    A name is a graph IRI, or the name of the file a graph was loaded from (its directories are
    ignored: ``old/cohort.csv`` names the graph loaded from ``cohort.csv``). A graph that one of
    the sources of this load is bound for is replaced anyway and is left out.
    """
    if not names:
        return {}
    files = {
        graph: store.graph_value(graph, SOURCE_FILE) or ""
        for graph in store.named_graphs()
        if graph != ONTOLOGY_IRI
    }
    chosen: dict[str, str] = {}
    for name in names:
        if name == ONTOLOGY_IRI:
            raise LoadError(
                f"--replace-source {name}: the ontology graph is written by the loader itself and "
                "cannot be replaced",
                rule="replace-source",
            )
        matches = [name] if name in files else [g for g, f in files.items() if f == Path(name).name]
        if len(matches) != 1:
            raise LoadError(_replace_message(name, matches, files), rule="replace-source")
        if matches[0] not in loading:
            chosen[matches[0]] = files[matches[0]]
    return chosen


def _replace_message(name: str, matches: list[str], files: Mapping[str, str]) -> str:
    if matches:
        listed = ", ".join(f"<{g}>" for g in matches)
        return (
            f"--replace-source {name}: {len(matches)} source graphs were loaded from a file named "
            f"{Path(name).name} ({listed}); give the IRI of the graph to replace"
        )
    graphs = [f"<{g}> (from {f or 'an unnamed file'})" for g, f in sorted(files.items())]
    listed = "; ".join(graphs[:10]) + (f"; and {len(graphs) - 10} more" if len(graphs) > 10 else "")
    return (
        f"--replace-source {name}: no source graph in the store has that IRI or was loaded from a "
        f"file named {Path(name).name}; the source graphs are: {listed or 'none'}"
    )


@dataclass(slots=True)
class _Scan:
    """What the new content of the sources of one load holds, for the checks across sources."""

    #: Each IRI the new content states something about, with the first source that does.
    owner: dict[ox.NamedNode, _Source] = field(default_factory=dict)
    #: The rdf:type values the new content gives each node.
    types: dict[ox.NamedNode | ox.BlankNode, list[ox.NamedNode]] = field(default_factory=dict)
    #: Each review or child the new content holds, with the sources that hold it, in order.
    records: dict[ox.NamedNode, list[_Source]] = field(default_factory=dict)


def check_across_sources(
    store: Store, sources: Sequence[_Source], removed: Mapping[str, str], *, shapes: bool = True
) -> None:
    """Refuse a load that would merge records of two sources, or leave the store non-conforming.

    1. A review or child (a node typed scr:CaseReview, one of its subclasses, or scr:Child) that
       another source's graph also types, or that two sources of this load hold, is refused,
       naming its id and both files: two sources of one review would give it two reporting
       years, two boards and two methods, and queries would count it twice.
    2. With ``shapes``, the nodes whose description changes (the subjects of the new graphs and
       of the graphs they replace or remove) and that other graphs also describe, and the nodes
       of other graphs that point at nodes whose types may go, are validated against the shapes
       with everything the store would then say about them and the types of what they point at.

    The shapes are node-local (a node's own triples, and the types of the nodes it points at),
    so this validates the store as a whole while reading only the new content, the graphs it
    replaces, and the nodes they share with the rest: the time grows with the load, not with the
    store. Raises a :class:`LoadError` carrying every problem found; writes nothing.
    """
    new = [source for source in sources if not source.unchanged]
    changed = {source.graph for source in new} | set(removed)
    if not changed:
        return
    kept = {g for g in store.named_graphs() if g not in changed and g != ONTOLOGY_IRI}
    scan = _scan(new)
    log = ProblemLog("")
    files: dict[str, str] = {}

    def file_of(graph: str) -> str:
        if graph not in files:
            files[graph] = store.graph_value(graph, SOURCE_FILE) or f"<{graph}>"
        return files[graph]

    try:
        _refuse_shared_records(store, scan, kept, file_of, log)
        log.raise_if_any()
        if shapes:
            _validate_shared_nodes(store, scan, kept, changed, file_of, removed, log)
    except TooManyProblems:
        pass
    log.raise_if_any()


def _record_types() -> frozenset[str]:
    return frozenset(
        {SCR + "Child", SCR + "CaseReview", *Vocabulary.from_file().review_classes.values()}
    )


def _scan(new: Sequence[_Source]) -> _Scan:
    """One pass over the new content (blank nodes are never shared: each source gets its own)."""
    scan = _Scan()
    record_types = _record_types()
    for source in new:
        for triple in source.triples():
            subject = triple.subject
            if isinstance(subject, ox.NamedNode):
                scan.owner.setdefault(subject, source)
            if triple.predicate == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
                scan.types.setdefault(subject, []).append(triple.object)
                if triple.object.value in record_types and isinstance(subject, ox.NamedNode):
                    holders = scan.records.setdefault(subject, [])
                    if not any(holder is source for holder in holders):
                        holders.append(source)
    return scan


def _refuse_shared_records(
    store: Store,
    scan: _Scan,
    kept: set[str],
    file_of: Callable[[str], str],
    log: ProblemLog,
) -> None:
    """Problem 1 of :func:`check_across_sources`: a review or child of two sources."""
    record_types = _record_types()
    elsewhere: dict[ox.NamedNode, str] = {}
    for quad in _quads_of(store, scan.records, kept, RDF_TYPE):
        if quad.object.value in record_types:
            elsewhere.setdefault(quad.subject, quad.graph_name.value)  # type: ignore[arg-type]
    located: dict[int, Mapping[str, str]] = {}
    child = SCR + "Child"
    for node, holders in scan.records.items():
        kind = "child" if any(t.value == child for t in scan.types.get(node, ())) else "review"
        ident = unquote(node.value.rstrip("/").rsplit("/", 1)[-1])
        graph = elsewhere.get(node)
        for i, source in enumerate(holders):
            if graph is not None:
                other = file_of(graph)
                message = (
                    f"{kind} {ident!r} is already in the graph <{graph}>, loaded from {other}; a "
                    f"{kind} comes from one source, or the two would merge into one (two "
                    f"reporting years, two boards, counted twice): remove it from this file, or "
                    f"replace that source in the same write with --replace-source {other}"
                )
            elif i > 0:
                message = (
                    f"{kind} {ident!r} is also in {holders[0].path.name}, loaded with it; a "
                    f"{kind} comes from one source: remove it from one of the two files"
                )
            else:
                continue
            where, field_name = _record_location(source, node, kind, located)
            log.add(
                RuleError(
                    message,
                    file=source.path.name,
                    location=where,
                    field=field_name,
                    rule="record-in-two-sources",
                )
            )


def _record_location(
    source: _Source, node: ox.NamedNode, kind: str, located: dict[int, Mapping[str, str]]
) -> tuple[str, str | None]:
    """Where a node came from in its source, and the field of its id."""
    suffix = source.path.suffix.lower()
    if suffix not in READERS:
        return f"subject <{node.value}>", None
    if id(source) not in located:
        located[id(source)] = source.locations()
    where = located[id(source)].get(node.value) or f"node {compact(node.value)}"
    return where, (f"{kind}_id" if suffix == ".csv" or source.draft else "id")


def _validate_shared_nodes(
    store: Store,
    scan: _Scan,
    kept: set[str],
    changed: set[str],
    file_of: Callable[[str], str],
    removed: Mapping[str, str],
    log: ProblemLog,
) -> None:
    """Problem 2 of :func:`check_across_sources`: the shapes over the nodes sources share."""
    touched: set[ox.NamedNode] = set(scan.owner)
    losing_types: set[ox.NamedNode] = set()  # nodes typed by a changed graph, not by the new
    for graph in changed & set(store.named_graphs()):
        node = ox.NamedNode(graph)
        for row in store.query(f"SELECT DISTINCT ?s {{ GRAPH {node} {{ ?s ?p ?o }} }}"):
            if isinstance(row["s"], ox.NamedNode) and row["s"] != node:
                touched.add(row["s"])
        for row in store.query(f"SELECT ?s ?t {{ GRAPH {node} {{ ?s a ?t }} }}"):
            if isinstance(row["s"], ox.NamedNode) and row["t"] not in scan.types.get(row["s"], ()):
                losing_types.add(row["s"])
    # the nodes of other graphs that point at a node whose types may go (sh:class)
    pointing = {
        quad.subject
        for quad in _quads_to(store, losing_types, kept)
        if isinstance(quad.subject, ox.NamedNode)
    }
    # what the other graphs say about the touched nodes, with the types of what they point at
    about: dict[ox.NamedNode, set[str]] = {}
    data: set[ox.Triple] = set()
    for quad in _quads_of(store, touched | pointing, kept):
        about.setdefault(quad.subject, set()).add(quad.graph_name.value)  # type: ignore[arg-type]
        data.add(ox.Triple(quad.subject, quad.predicate, quad.object))
    focus = set(about)  # the touched and pointing nodes that other graphs describe
    if not focus:
        return
    # what the new content says about them, and the types of what they point at
    for source in {id(s): s for s in scan.owner.values()}.values():
        data.update(t for t in source.triples() if t.subject in focus)
    objects = {t.object for t in data if isinstance(t.object, ox.NamedNode | ox.BlankNode)}
    for node in objects:
        data.update(ox.Triple(node, RDF_TYPE, t) for t in scan.types.get(node, ()))
    data.update(
        ox.Triple(quad.subject, RDF_TYPE, quad.object)
        for quad in _quads_of(store, objects, kept, RDF_TYPE)
    )
    violations = ShapesValidator().violations(data, focus=[node.value for node in focus])
    located: dict[int, Mapping[str, str]] = {}
    first_file = next(iter(scan.owner.values())).path.name if scan.owner else ""
    for v in violations:
        if v.severity != "Violation":
            continue
        node = ox.NamedNode(v.focus)
        source = scan.owner.get(node)
        others = sorted({file_of(g) for g in about.get(node, ())})
        if source is not None:
            file = source.path.name
            where, _ = _record_location(source, node, "review", located)
        else:
            file = first_file or next(iter(removed.values()), "")
            where = f"node {compact(v.focus)}"
        shape = f"the shape {compact(v.shape)}" if v.shape else "a shape"
        detail = ", ".join(
            f"{name} {compact(value)}"
            for name, value in (("path", v.path), ("value", v.value))
            if value
        )
        other = others[0] if others else "FILE"
        log.add(
            ShapeError(
                f"together with {' and '.join(others) or 'the store'}, {compact(v.focus)} would "
                f"break {shape}: {v.message.rstrip('.')}"
                + (f" ({detail})" if detail else "")
                + f"; correct this file, or replace {other} in the same write with "
                f"--replace-source {other}",
                file=file,
                location=where,
                field=FIELD_OF_PREDICATE.get(v.path or "") if source and _coded(source) else None,
                rule=f"shacl:{compact(v.shape)}" if v.shape else "shacl",
            )
        )


def _coded(source: _Source) -> bool:
    return source.path.suffix.lower() in READERS


#: Up to this many graphs, a local store is asked graph by graph (GSPO index) rather than over
#: all graphs (SPOG index, which also returns the quads of the graphs being replaced).
FEW_GRAPHS = 8


def _quads_of(
    store: Store,
    nodes: Iterable[ox.NamedNode | ox.BlankNode],
    graphs: set[str],
    predicate: ox.NamedNode | None = None,
) -> Iterator[ox.Quad]:
    """The quads of ``graphs`` whose subject is one of the nodes (and predicate ``predicate``).

    A local store is asked node by node, through its indexes; a SPARQL server a batch of IRIs
    at a time (a blank node cannot be named in a query to a server, and is left out there).
    """
    if not graphs:
        return
    reader = _local_reader(store)
    if reader is not None and len(graphs) <= FEW_GRAPHS:
        names = [ox.NamedNode(graph) for graph in sorted(graphs)]
        for node in nodes:
            for name in names:
                yield from reader.quads_for_pattern(node, predicate, None, name)
        return
    if reader is not None:
        quads: Iterable[ox.Quad] = (
            quad for node in nodes for quad in reader.quads_for_pattern(node, predicate, None, None)
        )
    else:
        where = f"GRAPH ?g {{ ?s {predicate} ?o }}" if predicate else "GRAPH ?g { ?s ?p ?o }"
        quads = (
            ox.Quad(row["s"], predicate or row["p"], row["o"], row["g"])
            for values in _batches(nodes)
            for row in store.query(f"SELECT * {{ VALUES ?s {{ {values} }} {where} }}")  # type: ignore[attr-defined]
        )
    yield from (quad for quad in quads if quad.graph_name.value in graphs)


def _quads_to(store: Store, nodes: Iterable[ox.NamedNode], graphs: set[str]) -> Iterator[ox.Quad]:
    """The quads of ``graphs`` whose object is one of the nodes."""
    if not graphs:
        return
    reader = _local_reader(store)
    if reader is not None:
        quads: Iterable[ox.Quad] = (
            quad for node in nodes for quad in reader.quads_for_pattern(None, None, node, None)
        )
    else:
        quads = (
            ox.Quad(row["s"], row["p"], row["o"], row["g"])
            for values in _batches(nodes)
            for row in store.query(  # type: ignore[attr-defined]
                f"SELECT * {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            )
        )
    yield from (quad for quad in quads if quad.graph_name.value in graphs)


def _local_reader(store: Store) -> ox.Store | None:
    """The pyoxigraph store behind a local store, or None for a SPARQL server."""
    return store._reader() if store.evaluates_here else None  # noqa: SLF001


def _batches(nodes: Iterable[ox.NamedNode | ox.BlankNode]) -> Iterator[str]:
    """The IRIs among the nodes, as the insides of VALUES clauses of LOOKUP_BATCH IRIs each."""
    batch: list[str] = []
    for node in nodes:
        if isinstance(node, ox.NamedNode):
            batch.append(str(node))
        if len(batch) == LOOKUP_BATCH:
            yield " ".join(batch)
            batch = []
    if batch:
        yield " ".join(batch)
