"""The loader's public entry points: load a source, validate one, load the bundled data.

One pipeline for every source, all-or-nothing:

    read (size cap, checksum) -> unchanged? stop -> parse -> personal-data guard and rules
    -> map to triples -> SHACL -> one store.replace_graphs() call (source graph + provenance,
    and the ontology graph when it is missing or its files changed)

Nothing is written until the whole file has passed, so a refused file leaves the store exactly as
it was. Errors are :class:`~scrkg.loader.errors.LoadError` subclasses that name the file, the row
or line, the field and the rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from scrkg.graph.store import Store
from scrkg.loader import provenance
from scrkg.loader.errors import (
    LoadError,
    ProblemLog,
    RuleError,
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
from scrkg.loader.validation import CHUNK_REVIEWS, ShapesValidator, Violation, report
from scrkg.ontology import CONCEPTS_FILE, DEFAULT_BASE, ONTOLOGY_FILE, ONTOLOGY_IRI, SCR

#: The largest source file read, unless SCRKG_MAX_SOURCE_MB or ``max_bytes`` says otherwise.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_BYTES_ENV = "SCRKG_MAX_SOURCE_MB"

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
BUNDLED_SOURCES = (BUNDLED_DIR / "ofsted-2009-10.ttl", BUNDLED_DIR / "synthetic-cohort-2009-10.csv")
ONTOLOGY_FILES = (ONTOLOGY_FILE, CONCEPTS_FILE)

Status = Literal["loaded", "replaced", "unchanged"]


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load did.

    ``records`` counts what was read: rows of a CSV file, children of a JSON file, triples of an
    RDF file. ``triples`` counts the triples now in the source's graph (provenance included); 0
    when the source was unchanged and nothing was written.
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
) -> LoadResult:
    """Load one source file into its own named graph, replacing what that graph held.

    The format follows the extension: ``.csv``/``.json`` are coded reviews
    (docs/input-formats.md), ``.ttl .nt .nq .trig .jsonld`` are RDF. The graph is ``graph`` or
    ``{base}graph/{slug of the file name}``. A file whose checksum and loader version match the
    graph already stored is not read again: the result says ``"unchanged"`` and nothing is
    written (except the ontology graph, if its files changed). Raises :class:`LoadError` (a
    subclass naming file, location, field and rule) and leaves the store as it was.
    """
    source = _prepare(
        Path(path), base=base, graph=graph, validate=validate, progress=progress,
        store=store, max_bytes=max_bytes,
    )  # fmt: skip
    return _commit(store, [source], progress)[0]


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
) -> list[LoadResult]:
    """Load several sources (and the bundled data when ``bundled``) in one write.

    Every source is read and checked before anything is written, so one refused file leaves the
    store as it was. Two sources that would get the same graph IRI (``a/reviews.csv`` and
    ``b/reviews.csv``) are refused before any is read: the second would replace the first.
    """
    sources = [(path, None) for path in BUNDLED_SOURCES] if bundled else []
    sources += [(Path(path), graph) for path in paths]
    graphs = [_graph_iri(path, base, named) for path, named in sources]
    check_distinct_graphs([path for path, _ in sources], graphs)
    prepared = [
        _prepare(path, base=base, graph=named, validate=True, progress=progress, store=store)
        for path, named in sources
    ]
    return _commit(store, prepared, progress)


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
    if suffix in READERS:
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
                f"split it into smaller files, or raise the limit with {MAX_BYTES_ENV}",
                file=path.name,
            )
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise LoadError(f"cannot be read: {error.strerror}", file=str(path), rule="file") from None


def max_source_bytes() -> int:
    """The size cap: SCRKG_MAX_SOURCE_MB (MiB) when set, else 512 MiB."""
    setting = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not setting:
        return DEFAULT_MAX_BYTES
    try:
        return int(float(setting) * 2**20)
    except ValueError:
        raise LoadError(
            f"{MAX_BYTES_ENV}={setting!r} is not a number of MiB", rule="setting"
        ) from None


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


def _commit(store: Store, sources: list[_Source], progress: Progress | None) -> list[LoadResult]:
    """Write every changed source, and the ontology if needed, in one replace_graphs call."""
    present = set(store.named_graphs())
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
    if progress and graphs:
        progress("write", sum(r.triples for r in results), sum(r.triples for r in results))
    return results


def _warning_text(violation: Violation) -> str:
    return f"{violation.severity}: {violation.focus}: {violation.message}"
