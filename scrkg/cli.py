"""The `scrkg` command line: a thin layer that parses arguments and calls the packages.

Every command shares ``--store PATH`` (or SCRKG_STORE), or ``--endpoint URL`` (or SCRKG_ENDPOINT)
for a SPARQL server, and ``--base IRI`` (or SCRKG_BASE). Errors are one clear line on stderr and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scrkg import __version__
from scrkg.graph.endpoints import CONVENTIONS
from scrkg.graph.errors import GatewayError, QuerySyntaxError, SettingError
from scrkg.graph.figures import published_figures
from scrkg.graph.remote import RemoteSettings
from scrkg.graph.result_writers import truncation_message
from scrkg.graph.settings import BY_NAME, read_settings, setting
from scrkg.graph.store import (
    EXPORT_FORMATS,
    Store,
    StoreError,
    disk_full_message,
    open_store,
)
from scrkg.graph.store_copy import copy_store
from scrkg.graph.tables import (
    RESULT_FORMATS,
    ResultFormatError,
    format_mismatch,
    query_types,
    write_answer,
)
from scrkg.loader import LoadError, generate_file, load_bundled, validate_source
from scrkg.loader.load import load_sources
from scrkg.ontology import SCR

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command needs: where the store is (a directory, or a SPARQL server when
    ``remote`` is set) and which base IRI to mint under."""

    def __init__(self, store_path: str, base: str, remote: RemoteSettings | None = None) -> None:
        self.store_path = store_path
        self.base = base
        self.remote = remote

    def store(self):  # noqa: ANN201 - a graph.store.Store
        if self.remote is not None:
            return self.remote.open()
        return open_store(self.store_path)

    @property
    def store_label(self) -> str:
        """The store as a user named it: the server's address or the directory."""
        return self.remote.endpoint if self.remote is not None else self.store_path


def fails_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can act on into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (LoadError, StoreError, ResultFormatError) as error:
            raise click.ClickException(str(error)) from None
        except GatewayError as error:
            lead = "The SPARQL query is not valid: " if isinstance(error, QuerySyntaxError) else ""
            raise click.ClickException(lead + error.message) from None
        except SettingError as error:
            raise click.ClickException(str(error)) from None
        except SyntaxError as error:  # pyoxigraph reports a bad query as SyntaxError
            raise click.ClickException(f"The SPARQL query is not valid: {error}") from None
        except OSError as error:
            raise click.ClickException(
                f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
            ) from None

    return wrapper


def setting_option(name: str, *decls: str, **kwargs: Any) -> Callable[[F], F]:
    """A global option given by the setting ``name`` of graph/settings.py: its environment
    variable, default and help come from the table."""
    setting = BY_NAME[name]
    return click.option(
        *decls,
        envvar=name,
        default=setting.default,
        show_default=setting.default is not None,
        help=f"{setting.help} (env {name})",
        **kwargs,
    )


@click.group()
@click.version_option(__version__, prog_name="scrkg")
@setting_option("SCRKG_STORE", "--store", "store_path", type=click.Path(file_okay=False))
@setting_option("SCRKG_BASE", "--base")
@setting_option("SCRKG_ENDPOINT", "--endpoint", metavar="URL")
@setting_option(
    "SCRKG_ENDPOINT_CONVENTION", "--endpoint-convention", type=click.Choice(["auto", *CONVENTIONS])
)
@setting_option("SCRKG_QUERY_URL", "--query-url", metavar="URL")
@setting_option("SCRKG_UPDATE_URL", "--update-url", metavar="URL")
@setting_option("SCRKG_GRAPH_STORE_URL", "--graph-store-url", metavar="URL")
@setting_option(
    "SCRKG_ENDPOINT_TIMEOUT", "--endpoint-timeout", type=click.FloatRange(min=0, min_open=True)
)
@click.pass_context
def main(
    ctx: click.Context,
    store_path: str,
    base: str,
    endpoint: str | None,
    endpoint_convention: str,
    query_url: str | None,
    update_url: str | None,
    graph_store_url: str | None,
    endpoint_timeout: float,
) -> None:
    """scrkg: a knowledge graph of child-safeguarding case reviews."""
    from click.core import ParameterSource

    given = ctx.get_parameter_source
    store_given = given("store_path") == ParameterSource.COMMANDLINE
    if endpoint and store_given and given("endpoint") == ParameterSource.COMMANDLINE:
        raise click.UsageError("Give either --store or --endpoint, not both.")
    if endpoint and store_given:
        endpoint = None  # --store on the command line wins over SCRKG_ENDPOINT
    if not endpoint and (query_url or update_url or graph_store_url):
        raise click.UsageError(
            "--query-url, --update-url and --graph-store-url need --endpoint, the server's address."
        )
    remote = None
    if endpoint:
        remote = RemoteSettings(
            endpoint,
            convention=endpoint_convention,
            query_url=query_url,
            update_url=update_url,
            graph_store_url=graph_store_url,
            timeout=endpoint_timeout,
        )
    ctx.obj = Context(store_path, base, remote)


def show_progress(stage: str, done: int, total: int | None) -> None:
    """Progress of a long load, on stderr so that stdout stays clean for pipes."""
    of = f"/{total}" if total else ""
    click.echo(f"  {stage}: {done}{of}", err=True)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--bundled", is_flag=True, help="Load the bundled 2009-10 report and cohort.")
@click.option("--graph", help="Named graph IRI for a single FILE (default: minted from its name).")
@click.option(
    "--replace-source",
    "replace",
    multiple=True,
    metavar="GRAPH_OR_FILE",
    help="Remove this source graph (its IRI, or the name of the file it was loaded from) in the "
    "same write; repeat for several.",
)
@click.pass_obj
@fails_cleanly
def load(
    obj: Context, files: tuple[str, ...], bundled: bool, graph: str | None, replace: tuple[str, ...]
) -> None:
    """Validate and load coded reviews (CSV, JSON) or RDF into the store.

    Each source becomes its own named graph; loading a source again replaces its graph, and
    loading an unchanged source changes nothing. All the files are checked before any is
    written, in one step: one refused file leaves the store as it was. Two files that would get
    the same graph (a/reviews.csv and b/reviews.csv) are refused, and so is a review or child
    that another source already holds: --replace-source names the source it supersedes, removed
    in the same write. After every load the store as a whole conforms to its shapes.
    """
    if not files and not bundled:
        raise click.UsageError("Give one or more FILEs to load, or --bundled.")
    if graph and len(files) != 1:
        raise click.UsageError("--graph names the graph of exactly one FILE.")
    store = obj.store()
    remove_abandoned_snapshots(store)
    results = load_sources(
        store,
        files,
        base=obj.base,
        graph=graph,
        bundled=bundled,
        progress=show_progress,
        replace=replace,
    )
    for result in results:
        if result.status == "unchanged":
            click.echo(f"unchanged: <{result.graph}> (already loaded from {result.file})")
        elif result.status == "removed":
            click.echo(f"removed: <{result.graph}> (had been loaded from {result.file})")
        else:
            click.echo(
                f"{result.status}: <{result.graph}> ({result.triples} triples"
                f" from {result.records} records)"
            )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_obj
@fails_cleanly
def validate(obj: Context, files: tuple[str, ...]) -> None:
    """Check files as `load` would, without writing anything."""
    for path in files:
        report = validate_source(path, base=obj.base)
        click.echo(f"valid: {path} ({report.triples} triples from {report.records} records)")


#: What `scrkg tag` writes: one suggestion a line, or a draft to confirm (docs/tagging.md).
TAG_FORMATS = ("jsonl", "csv", "json")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TAG_FORMATS),
    help="jsonl: one suggestion a line; csv, json: a draft to confirm and `scrkg load` "
    "(default: from the extension of -o, else jsonl).",
)
@click.option(
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    help="Write to FILE (atomically) instead of stdout.",
)
@click.option(
    "--review-id",
    help="The id of the review in the draft (default: the first FILE's name without its "
    "extension).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    help="Refuse a document larger than N bytes.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Write only suggestions of this confidence or more (0 writes every one).",
)
@fails_cleanly
def tag(
    files: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    review_id: str | None,
    max_bytes: int | None,
    min_confidence: float,
) -> None:
    """Suggest codes from review documents (PDF, HTML, DOCX, text), each with the sentence it
    rests on, for a person to confirm (see docs/tagging.md).

    Every quote is screened for personal data first: a sentence that holds any is left out,
    with one line on stderr. Nothing is written when a document cannot be read.
    """
    import io
    import json

    from scrkg.loader import drafts
    from scrkg.loader.documents import open_document
    from scrkg.loader.guard import personal_value
    from scrkg.loader.tagging import Tagger, screened_suggestions

    suffix = Path(output).suffix.lower() if output else ""
    fmt = fmt or {".csv": "csv", ".json": "json"}.get(suffix, "jsonl")
    review_id = review_id if review_id is not None else Path(files[0]).stem
    kind = personal_value(review_id, free_text=True)
    if not review_id.strip() or kind:
        what = f"looks like it holds {kind}" if kind else "is empty"
        raise click.UsageError(
            f"The review id {what} (by default it is the first file's name without its "
            "extension); give one with --review-id."
        )
    opened = []
    for path in files:  # every document is checked before any is tagged
        kind = personal_value(Path(path).name)
        if kind:
            raise click.ClickException(
                f"{path}: the file name looks like it holds {kind}; the name is written into "
                "the draft and the graph: rename the file"
            )
        opened.append(open_document(path, max_bytes=max_bytes))
    screened = screened_suggestions(opened, Tagger.from_ontology(), min_confidence=min_confidence)
    for note in screened.notes:
        click.echo(note, err=True)
    kept, sentences, left_out = screened.kept, screened.sentences, screened.left_out
    checksums = {document.source: document.sha256 for document in opened}

    rows: list[dict[str, Any]] = []
    if fmt != "jsonl":
        rows, other = drafts.draft_rows(kept, review_id=review_id, checksums=checksums)
        if other:
            fields = ", ".join(sorted({s.field for s in other}))
            click.echo(
                f"note: {len(other)} suggestions of fields a draft does not hold ({fields}) are "
                "not in the draft; --format jsonl lists them",
                err=True,
            )

    def write(handle: Any) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        if fmt == "csv":
            drafts.write_csv(rows, text)
        elif fmt == "json":
            drafts.write_json(rows, text)
        else:
            for suggestion in kept:
                line = _suggestion_json(suggestion, checksums.get(suggestion.source, ""))
                text.write(json.dumps(line, ensure_ascii=False) + "\n")
        text.flush()
        text.detach()

    if output is None:
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        write_atomically(Path(output), write)
        click.echo(f"wrote {output}", err=True)
    documents = "document" if len(files) == 1 else "documents"
    summary = f"{len(kept)} suggestions from {sentences} sentences in {len(files)} {documents}"
    if left_out:
        summary += f"; {left_out} left out for personal data"
    click.echo(summary, err=True)
    if fmt != "jsonl":
        click.echo(
            f"the draft has {len(rows)} rows for review {review_id}: write yes or no in accept "
            "on every row, fill the rows of required fields, then `scrkg load` it",
            err=True,
        )


def _suggestion_json(suggestion: Any, sha256: str) -> dict[str, Any]:
    """One line of `scrkg tag --format jsonl`."""
    return {
        "source": suggestion.source,
        "sha256": sha256,
        "concept": suggestion.concept,
        "scheme": suggestion.scheme,
        "field": suggestion.field,
        "property": suggestion.property,
        "quote": suggestion.quote,
        "page": suggestion.page,
        "start": suggestion.start,
        "end": suggestion.end,
        "prefix": suggestion.prefix,
        "suffix": suggestion.suffix,
        "matched": suggestion.matched,
        "label": suggestion.label,
        "confidence": suggestion.confidence,
    }


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "query_file",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a .rq file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RESULT_FORMATS)),
    default=None,
    help="Results: table (default), csv, tsv, json; graphs: turtle (default), ntriples.",
)
@click.pass_obj
@fails_cleanly
def query(obj: Context, sparql: str | None, query_file: Any, fmt: str | None) -> None:
    """Run a SPARQL query (a string, or -f FILE) over all graphs."""
    if (sparql is None) == (query_file is None):
        raise click.UsageError("Give the query either as an argument or with -f FILE.")
    text = sparql if sparql is not None else query_file.read()
    # The gateway, as for the site: refusals, size and depth limits, a worker process killed at
    # SCRKG_QUERY_TIMEOUT, rows and bytes capped (the SCRKG_QUERY_* environment variables).
    from scrkg.graph.gateway import Limits, NotAcceptable, QueryGateway

    solution_type, graph_type = query_types(fmt)
    with QueryGateway(
        obj.store(), Limits.from_settings(read_settings(parts=["query gateway"]))
    ) as gateway:
        try:
            written = gateway.run(text, solution_type=solution_type, graph_type=graph_type)
        except NotAcceptable as error:
            raise format_mismatch(error.kind, fmt) from None
    write_answer(written, sys.stdout.buffer, fmt)
    if written.truncated:
        click.echo(
            "warning: " + truncation_message(written.truncated, written.rows, written.limit),
            err=True,
        )


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="turtle", show_default=True
)
@click.option("--graph", help="Export only this named graph.")
@click.option(
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    help="Write to FILE (atomically) instead of stdout.",
)
@click.pass_obj
@fails_cleanly
def export(obj: Context, fmt: str, graph: str | None, output: str | None) -> None:
    """Export the whole store or one named graph.

    When the export holds synthetic records, Turtle, TriG, N-Triples and N-Quads start with a
    comment line that says so, and a note on stderr says so in every format."""
    from scrkg.graph import synthetic_notice

    store = obj.store()
    held = graph is None or graph in store.named_graphs()  # else store.export says it is missing
    synthetic = held and synthetic_notice.store_includes_synthetic(store, graph)
    first_line = synthetic_notice.comment(EXPORT_FORMATS[fmt], synthetic)

    def write(handle: Any) -> None:
        handle.write(first_line)
        store.export(handle, fmt, graph)

    if output is None:
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        try:
            write_atomically(Path(output), write)
        except OSError as error:
            message = disk_full_message(output, error)
            if message is None:
                raise
            raise click.ClickException(message) from None
        click.echo(f"wrote {output}", err=True)
    if synthetic:
        click.echo(
            "note: the export includes SYNTHETIC records (invented, not real cases); "
            "they carry scr:isSynthetic true.",
            err=True,
        )


def write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a temporary file beside ``path`` and rename it into place, so that a
    failed or interrupted export never leaves a partial file under the real name.

    The file gets the mode any new file of the user gets, 0666 less the umask (0644 under the
    usual umask 022, so the group can read it), not the owner-only 0600 of a temporary file."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
        "wb", dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", delete=False
    )
    try:
        os.chmod(handle.fileno(), 0o666 & ~current_umask())
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask. Linux shows it in /proc/self/status, read without changing it;
    elsewhere it is set to 077 for an instant and put back (a file another thread makes in that
    instant is only more private than it would have been)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


@main.command()
@click.option("--to-endpoint", metavar="URL", help="Copy this store to the SPARQL server at URL.")
@click.option(
    "--from-endpoint", metavar="URL", help="Copy the SPARQL server at URL into this store."
)
@click.option(
    "--convention",
    type=click.Choice(["auto", *CONVENTIONS]),
    default="auto",
    show_default=True,
    help="URL layout of that server (as --endpoint-convention).",
)
@click.pass_obj
@fails_cleanly
def copy(obj: Context, to_endpoint: str | None, from_endpoint: str | None, convention: str) -> None:
    """Copy every named graph between this store and a SPARQL server, then check each copy.

    This store is --store (or --endpoint). Graphs of the same name on the other side are
    replaced, all in one atomic step; other graphs there are left as they were. Each graph's
    triples are then counted on both sides and compared up to blank node names.
    """
    if (to_endpoint is None) == (from_endpoint is None):
        raise click.UsageError("Give either --to-endpoint URL or --from-endpoint URL.")
    here = obj.store()
    other_url = to_endpoint or from_endpoint or ""
    timeout = obj.remote.timeout if obj.remote else setting("SCRKG_ENDPOINT_TIMEOUT")
    other = RemoteSettings(other_url, convention=convention, timeout=timeout).open()
    source, target = (here, other) if to_endpoint else (other, here)
    names = (obj.store_label, other.address) if to_endpoint else (other.address, obj.store_label)
    copies, others = copy_store(source, target)
    click.echo(f"copied {len(copies)} named graphs from {names[0]} to {names[1]}:")
    for c in copies:
        check = "isomorphic" if c.isomorphic else "NOT isomorphic"
        click.echo(f"  <{c.graph}> {c.source_triples} -> {c.target_triples} triples, {check}")
    if others:
        click.echo(f"{len(others)} other named graphs on {names[1]} were left as they were.")
    differ = [c.graph for c in copies if not c.isomorphic or c.source_triples != c.target_triples]
    total = sum(c.target_triples for c in copies)
    if differ:
        raise click.ClickException(
            f"{len(differ)} of {len(copies)} graphs differ after the copy: "
            + ", ".join(f"<{g}>" for g in differ)
        )
    click.echo(f"{total} triples in {len(copies)} graphs; every graph is isomorphic to its source.")


@main.command()
@click.pass_obj
@fails_cleanly
def stats(obj: Context) -> None:
    """Each published figure beside the figure computed from the records, then the figures of
    every period as published, with the page each was read on."""
    from scrkg.graph.figures import published_series, series_by_measure

    store = obj.store()
    check_at_start(store)
    figures = published_figures(store)
    if not figures:
        click.echo("The store holds no published figures yet: run `scrkg load --bundled`.")
        return
    width = max(len(f.label) for f in figures)
    click.echo("Published figures beside the same figures counted from the records:")
    click.echo(f"{'figure':<{width}}  {'period':<7}  {'published':>9}  {'computed':>9}")
    for f in figures:
        marker = "" if f.matches else "  <- differs"
        click.echo(
            f"{f.label:<{width}}  {f.period:<7}  {f.published_text:>9}  {f.computed_text:>9}"
            f"{marker}"
        )
    differ = sum(not f.matches for f in figures)
    click.echo(
        f"\n{len(figures) - differ} of {len(figures)} published figures reproduced from the records"
        + (f"; {differ} differ." if differ else ".")
    )

    series = published_series(store)
    if series:
        periods = ", ".join(sorted({f.period for f in figures}))
        click.echo(
            "\nPublished figures of every period, as published: only those of "
            f"{periods} above are checked against the records. Each figure gives its source page "
            "[n] and its publication; never add figures of different measures."
        )
        sources = list(dict.fromkeys(f.source for f in series))
        kinds = {f.source: f.source_kind for f in series}
        period_width = max(len(f.period) for f in series)
        for measure, group in series_by_measure(series):
            click.echo(f"\n{measure}")
            for f in group:
                flag = "  <- pages disagree" if f.disagrees else ""
                number = sources.index(f.source) + 1
                click.echo(
                    f"  {f.period:<{period_width}}  {f.value_text:>6}  [{number}] "
                    f"{f.publication}{flag}"
                )
        click.echo("\nsources:")
        for number, source in enumerate(sources, start=1):
            click.echo(f"  [{number}] {kinds[source]}: {source}")
        disagree = sum(f.disagrees for f in series)
        publications = len({f.publication for f in series})
        click.echo(
            f"\n{len(series)} published figures from {publications} publications, read on "
            f"{len(sources)} pages; "
            + (
                f"{disagree} disagree with another page on the same measure and period."
                if disagree
                else "no two pages give different values for the same measure and period."
            )
        )

    click.echo("\nnamed graphs:")
    for graph in store.named_graphs():
        synthetic = " (synthetic)" if store.graph_value(graph, SCR_IS_SYNTHETIC) == "true" else ""
        click.echo(f"  <{graph}> {store.triple_count(graph)} triples{synthetic}")


SCR_IS_SYNTHETIC = SCR + "isSynthetic"


def check_at_start(store: Store) -> None:
    """Read an on-disk store through before using it, so that a damaged one is reported now
    with what to do (StoreCorruptError), and say so when a load is writing to it."""
    store.check()
    writer = store.writer_pid()
    if writer is not None:
        who = f" (process {writer})" if writer else ""
        click.echo(
            f"note: a load is writing to the store at {store.path} now{who}. Until it finishes "
            "you see the data from before it; the new data appears when it is done.",
            err=True,
        )


def remove_abandoned_snapshots(store: Store) -> None:
    """Remove the half-written snapshots that killed loads left in an on-disk store, and say so
    on stderr in one line."""
    count, freed = store.remove_abandoned_snapshots()
    if count:
        snapshots = "snapshot" if count == 1 else "snapshots"
        click.echo(
            f"note: removed {count} abandoned {snapshots} left by interrupted loads from the "
            f"store at {store.path} ({freed / 1_000_000:.1f} MB freed).",
            err=True,
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
@fails_cleanly
def serve(obj: Context, host: str, port: int) -> None:
    """Serve the site (dashboard, query page, explorer, SPARQL endpoint) over the store.

    An empty store gets the bundled data first, so a new user sees something at once.
    """
    from scrkg.web.serve import serve as serve_site

    store = obj.store()
    remove_abandoned_snapshots(store)
    check_at_start(store)
    if store.triple_count() == 0:
        click.echo("The store is empty: loading the bundled data first.", err=True)
        load_bundled(store, base=obj.base)
    click.echo(f"scrkg is serving at http://{host}:{port}/ (Ctrl+C stops it)", err=True)
    serve_site(store, store_path=obj.store_label, host=host, port=port)


@main.command()
@click.argument("kind", type=click.Choice(["token", "basic"]))
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="basic: read the password from stdin, not a prompt."
)
def credentials(kind: str, name: str, password_stdin: bool) -> None:
    """Make an SCRKG_AUTH entry: `token NAME` makes a bearer token for a program, `basic USER` a
    password hash for a person with a browser. The entry holds only a hash."""
    from scrkg.web.security import SettingError, basic_entry, token_entry

    try:
        if kind == "token":
            token, entry = token_entry(name)
            click.echo(f"SCRKG_AUTH entry: {entry}")
            click.echo(f"token for {name} (shown once; send it as Authorization: Bearer): {token}")
            return
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        click.echo(f"SCRKG_AUTH entry: {basic_entry(name, password)}")
    except SettingError as error:
        raise click.UsageError(str(error)) from None


@main.command()
@click.option(
    "--reviews", type=click.IntRange(min=1), required=True, help="How many reviews to generate."
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Random seed: same seed, same file."
)
@click.option(
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    required=True,
    help="FILE to write (.csv or .json).",
)
@fails_cleanly
def generate(reviews: int, seed: int, output: str) -> None:
    """Write a synthetic dataset of coded reviews, labelled synthetic, for scale tests."""
    try:
        generate_file(Path(output), reviews, seed)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"wrote {reviews} synthetic reviews to {output}", err=True)


#: The patterns of graph/patterns.py (KINDS), spelled out so that `scrkg --help` stays quick.
PATTERN_KINDS = ("risk-factors", "agencies", "themes")
PATTERN_FORMATS = ("csv", "json", "graphml")


def pattern_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that narrow a pattern to some children and reviews (scrkg patterns, and
    scrkg network --pattern)."""
    options = [
        click.option(
            "--outcome",
            help="Only children with this outcome (died or serious-harm) and their reviews.",
        ),
        click.option(
            "--age-band",
            help="Only children of this age band code (e.g. under-1) and their reviews.",
        ),
        click.option(
            "--period", help="Only reviews of this reporting year (YYYY-YY) and their children."
        ),
        click.option(
            "--min-cases",
            type=click.IntRange(min=1),
            default=5,
            show_default=True,
            help="Pairs on fewer cases are flagged few_cases: not drawn as associated, and left "
            "out of centrality and communities.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("kind", type=click.Choice(PATTERN_KINDS))
@pattern_filters
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PATTERN_FORMATS),
    default="csv",
    show_default=True,
    help="csv: the pairs (or --items); json: items, pairs and communities; graphml: the "
    "network, for Gephi.",
)
@click.option(
    "--items",
    "items_table",
    is_flag=True,
    help="CSV of the items (nodes, with centrality and community) instead of the pairs.",
)
@click.option(
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    help="Write to FILE (atomically) instead of stdout.",
)
@click.pass_obj
@fails_cleanly
def patterns(
    obj: Context, kind: str, outcome: str | None, age_band: str | None, period: str | None,
    min_cases: int, fmt: str, items_table: bool, output: str | None,
) -> None:  # fmt: skip
    """Risk factors, agency types or lesson themes that occur together: counts, lift and PMI,
    centrality and communities (see docs/patterns.md)."""
    import io

    from scrkg.graph import patterns as pt

    try:
        pattern = pt.co_occurrence(
            obj.store(),
            kind,
            outcome=outcome,
            age_band=age_band,
            period=period,
            min_cases=min_cases,
        )
    except pt.PatternError as error:
        raise click.UsageError(str(error)) from None

    def write(handle: Any) -> None:
        if fmt == "graphml":
            pt.write_graphml(pattern, handle)
            return
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        if fmt == "json":
            pt.write_json(pattern, text)
        else:
            pt.write_csv(pattern, text, "items" if items_table else "pairs")
        text.flush()
        text.detach()

    if output is None:
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    write_atomically(Path(output), write)
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FACET=VALUE",
    help="Keep only the hits with this facet value, e.g. class=review or "
    "outcome=https://w3id.org/scrkg/concept/died; repeat for several.",
)
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@fails_cleanly
def search(
    obj: Context, words: tuple[str, ...], filters: tuple[str, ...], limit: int, fmt: str
) -> None:
    """Find reviews, children, lessons, recommendations, agencies and quoted statements by their
    words, best first (see docs/search.md). Put a phrase in quotes: '"voice of the child"'."""
    import json

    from scrkg.graph import search as sr

    chosen: dict[str, list[str]] = {}
    for item in filters:
        facet, equals, value = item.partition("=")
        if not equals or not value:
            raise click.UsageError(f"--filter takes FACET=VALUE, not {item!r}.")
        chosen.setdefault(facet, []).append(value)
    store = obj.store()
    check_at_start(store)
    try:
        results = sr.search(store, " ".join(words), chosen, limit=limit)
    except sr.SearchError as error:
        raise click.UsageError(str(error)) from None
    if fmt == "json":
        click.echo(json.dumps(results.as_json(), ensure_ascii=False, indent=2))
        return
    for note in results.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"{results.total} records; the best {len(results.hits)}:")
    for number, hit in enumerate(results.hits, start=1):
        synthetic = " SYNTHETIC" if hit.synthetic else ""
        click.echo(f"{number:>3}. {hit.label} [{hit.class_label}{synthetic}] {hit.score:.2f}")
        click.echo(f"     <{hit.iri}>")
        text = hit.snippet.replace(sr.MARK_OPEN, "[").replace(sr.MARK_CLOSE, "]")
        click.echo(f"     {text}")


@main.command()
@click.argument("iri")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@fails_cleanly
def similar(obj: Context, iri: str, limit: int, fmt: str) -> None:
    """The reviews most like the review IRI: by shared risk factors, agency types, lesson themes,
    outcomes and age bands (a rarer one counts more) and by shared rarer words."""
    import json

    from scrkg.graph import search as sr

    store = obj.store()
    check_at_start(store)
    try:
        found = sr.similar(store, iri, limit=limit)
    except sr.SearchError as error:
        raise click.UsageError(str(error)) from None
    if fmt == "json":
        answer = {"iri": iri, "similar": [s.as_json() for s in found]}
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No other review shares a coded feature or a rarer word with this one.")
    for number, other in enumerate(found, start=1):
        synthetic = " SYNTHETIC" if other.synthetic else ""
        click.echo(f"{number:>3}. {other.label}{synthetic} score {other.score:.3f}")
        click.echo(f"     <{other.iri}>")
        shared = ", ".join(f.label for f in other.shared) or "no coded feature"
        click.echo(f"     both have: {shared}")
        if other.shared_words:
            click.echo(f"     shared words: {', '.join(other.shared_words[:10])}")


@main.command()
@click.option(
    "--focus", metavar="IRI", help="A resource and its neighbours, as the explorer shows."
)
@click.option(
    "--query",
    "query_file",
    metavar="FILE.rq",
    type=click.Path(dir_okay=False),
    help="The result of a SELECT or CONSTRUCT query in FILE.rq, as the explorer's network.",
)
@click.option(
    "--pattern",
    metavar="NAME",
    help="The association network of a pattern: " + ", ".join(PATTERN_KINDS) + ".",
)
@pattern_filters
@click.option(
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    required=True,
    help="The HTML file to write (atomically).",
)
@click.pass_obj
@fails_cleanly
def network(
    obj: Context, focus: str | None, query_file: str | None, pattern: str | None,
    outcome: str | None, age_band: str | None, period: str | None, min_cases: int, output: str,
) -> None:  # fmt: skip
    """Write a network as one HTML page that opens in any browser, offline: the drawing (made
    with pyvis and vis-network, copied into the page) and the same nodes and links as tables,
    with where the data came from and when (see docs/command-line.md)."""
    chosen = [given for given in (focus, query_file, pattern) if given is not None]
    if len(chosen) != 1:
        raise click.ClickException("Give one of --focus IRI, --query FILE.rq or --pattern NAME.")
    from scrkg.graph import patterns as pt
    from scrkg.web import network_file as nf

    store = obj.store()
    check_at_start(store)
    try:
        if focus is not None:
            data = nf.focus_network(store, focus)
        elif query_file is not None:
            from scrkg.graph.gateway import Limits, QueryGateway

            text = Path(query_file).read_text(encoding="utf-8")
            with QueryGateway(
                store, Limits.from_settings(read_settings(parts=["query gateway"]))
            ) as gateway:
                results, written = gateway.results(text)
            data = nf.query_network(store, results, text, cut=bool(written.truncated))
        else:
            found = pt.co_occurrence(
                store,
                pattern or "",
                outcome=outcome,
                age_band=age_band,
                period=period,
                min_cases=min_cases,
            )
            data = nf.pattern_network(store, found)
    except (nf.NetworkFileError, pt.PatternError) as error:
        raise click.ClickException(str(error)) from None
    except GatewayError as error:  # the first line only: a syntax error's picture is not needed
        lead = "The SPARQL query is not valid: " if isinstance(error, QuerySyntaxError) else ""
        raise click.ClickException(lead + error.message.strip().splitlines()[0]) from None
    html = nf.render(data, source=f"the store at {obj.store_label}")
    write_atomically(Path(output), lambda handle: handle.write(html.encode("utf-8")))
    nodes, links = data.graph.number_of_nodes(), data.graph.number_of_edges()
    click.echo(f"wrote {output} ({nodes} nodes, {links} links)", err=True)
    if data.includes_synthetic:
        click.echo(
            "note: the network includes SYNTHETIC records (invented, not real cases); the page "
            "says so.",
            err=True,
        )
