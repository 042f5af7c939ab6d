"""The `scrkg` command line: a thin layer that parses arguments and calls the packages.

Every command shares ``--store PATH`` (or SCRKG_STORE) and ``--base IRI`` (or SCRKG_BASE). Errors
are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scrkg import __version__
from scrkg.graph.figures import published_figures
from scrkg.graph.results import RESULT_FORMATS, ResultFormatError, write_results
from scrkg.graph.store import EXPORT_FORMATS, StoreError, open_store
from scrkg.loader import LoadError, generate_file, load_bundled, load_source, validate_source
from scrkg.ontology import DEFAULT_BASE

DEFAULT_STORE = "scrkg-store"


class Context:
    """What every command needs: where the store is and which base IRI to mint under."""

    def __init__(self, store_path: str, base: str) -> None:
        self.store_path = store_path
        self.base = base

    def store(self):  # noqa: ANN201 - a graph.store.Store
        return open_store(self.store_path)


def fails_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can act on into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (LoadError, StoreError, ResultFormatError) as error:
            raise click.ClickException(str(error)) from None
        except SyntaxError as error:  # pyoxigraph reports a bad query as SyntaxError
            raise click.ClickException(f"The SPARQL query is not valid: {error}") from None
        except OSError as error:
            raise click.ClickException(
                f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
            ) from None

    return wrapper


@click.group()
@click.version_option(__version__, prog_name="scrkg")
@click.option(
    "--store",
    "store_path",
    envvar="SCRKG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory of the on-disk store (env SCRKG_STORE).",
)
@click.option(
    "--base",
    envvar="SCRKG_BASE",
    default=DEFAULT_BASE,
    show_default=True,
    help="Base IRI under which instance IRIs are minted (env SCRKG_BASE).",
)
@click.pass_context
def main(ctx: click.Context, store_path: str, base: str) -> None:
    """scrkg: a knowledge graph of child-safeguarding case reviews."""
    ctx.obj = Context(store_path, base)


def show_progress(stage: str, done: int, total: int | None) -> None:
    """Progress of a long load, on stderr so that stdout stays clean for pipes."""
    of = f"/{total}" if total else ""
    click.echo(f"  {stage}: {done}{of}", err=True)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--bundled", is_flag=True, help="Load the bundled 2009-10 report and cohort.")
@click.option("--graph", help="Named graph IRI for a single FILE (default: minted from its name).")
@click.pass_obj
@fails_cleanly
def load(obj: Context, files: tuple[str, ...], bundled: bool, graph: str | None) -> None:
    """Validate and load coded reviews (CSV, JSON) or RDF into the store.

    Each source becomes its own named graph; loading a source again replaces its graph, and
    loading an unchanged source changes nothing.
    """
    if not files and not bundled:
        raise click.UsageError("Give one or more FILEs to load, or --bundled.")
    if graph and len(files) != 1:
        raise click.UsageError("--graph names the graph of exactly one FILE.")
    store = obj.store()
    results = []
    if bundled:
        results.extend(load_bundled(store, base=obj.base, progress=show_progress))
    for path in files:
        results.append(load_source(store, path, base=obj.base, graph=graph, progress=show_progress))
    for result in results:
        if result.status == "unchanged":
            click.echo(f"unchanged: <{result.graph}> (already loaded from {result.file})")
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
    results = obj.store().query(text)
    write_results(results, sys.stdout.buffer, fmt)


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
    """Export the whole store or one named graph."""
    store = obj.store()
    if output is None:
        store.export(sys.stdout.buffer, fmt, graph)
        sys.stdout.buffer.flush()
        return
    write_atomically(Path(output), lambda handle: store.export(handle, fmt, graph))
    click.echo(f"wrote {output}", err=True)


def write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a temporary file beside ``path`` and rename it into place, so that a
    failed or interrupted export never leaves a partial file under the real name."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
        "wb", dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


@main.command()
@click.pass_obj
@fails_cleanly
def stats(obj: Context) -> None:
    """Each published figure beside the figure computed from the records."""
    store = obj.store()
    figures = published_figures(store)
    if not figures:
        click.echo("The store holds no published figures yet: run `scrkg load --bundled`.")
        return
    width = max(len(f.label) for f in figures)
    click.echo(f"{'figure':<{width}}  {'published':>9}  {'computed':>9}")
    for f in figures:
        marker = "" if f.matches else "  <- differs"
        click.echo(f"{f.label:<{width}}  {f.published_text:>9}  {f.computed_text:>9}{marker}")
    differ = sum(not f.matches for f in figures)
    click.echo(
        f"\n{len(figures) - differ} of {len(figures)} published figures reproduced from the records"
        + (f"; {differ} differ." if differ else ".")
    )
    click.echo("\nnamed graphs:")
    for graph in store.named_graphs():
        synthetic = " (synthetic)" if store.graph_value(graph, SCR_IS_SYNTHETIC) == "true" else ""
        click.echo(f"  <{graph}> {store.triple_count(graph)} triples{synthetic}")


SCR_IS_SYNTHETIC = "https://w3id.org/scrkg/def#isSynthetic"


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
    if store.triple_count() == 0:
        click.echo("The store is empty: loading the bundled data first.", err=True)
        load_bundled(store, base=obj.base)
    click.echo(f"scrkg is serving at http://{host}:{port}/ (Ctrl+C stops it)", err=True)
    serve_site(store, store_path=obj.store_path, host=host, port=port)


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


@main.command()
@click.argument("kind", type=click.Choice(PATTERN_KINDS))
@click.option(
    "--outcome",
    type=click.Choice(("died", "serious-harm")),
    help="Only children with this outcome (and their reviews).",
)
@click.option(
    "--age-band", help="Only children of this age band code (e.g. under-1) and their reviews."
)
@click.option("--period", help="Only reviews of this reporting year (YYYY-YY) and their children.")
@click.option(
    "--min-cases",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Pairs with fewer cases are flagged few_cases and left out of centrality and communities.",
)
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
    centrality and communities (see README, "Patterns across reviews")."""
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
