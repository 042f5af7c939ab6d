"""The query gateway: every SPARQL string from the site passes here before the store sees it.

A read-only service must not run updates (LOAD among them), ``SERVICE`` (pyoxigraph would call
the remote host, however the keyword is spelled: ``SERV\\u0049CE`` is ``SERVICE``), or ``FROM`` /
``FROM NAMED``. Keyword searches miss escaped or oddly spaced spellings, so the query is parsed
with rdflib's SPARQL parser (which expands ``\\u`` escapes first, as the grammar says), turned into
its algebra, and both trees are walked for the nodes that must not run. pyoxigraph only sees a
query that passed.

:func:`run_query` is the one place a query is executed; issue 4's gateway (size and depth
limits, worker processes with a deadline, row and byte caps) grows from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox
import pyparsing
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from scrkg.graph.store import Store
from scrkg.ontology import PREFIXES

READ_ONLY = (
    "This SPARQL service is read-only: updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) "
    "are refused. Load data with the `scrkg load` command instead."
)
MAX_EXPECTED = 240  # characters of a parser's "expected one of ..." list shown to the user

# Nodes of rdflib's parse tree and algebra that a read-only local service refuses, and why.
_REFUSED_NODES = {
    "ServiceGraphPattern": (
        "SERVICE is refused: this endpoint answers from its own data only and never calls "
        "another SPARQL service. Run the remote part against that service yourself."
    ),
    "DatasetClause": (
        "FROM and FROM NAMED are refused: the default graph here is the union of all named "
        "graphs. Use GRAPH <iri> { ... } in the query, or the default-graph-uri and "
        "named-graph-uri parameters of the SPARQL protocol."
    ),
}


class GatewayError(Exception):
    """A query the gateway will not pass to the store; ``message`` tells the user why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QueryRefused(GatewayError):
    """Valid SPARQL that this read-only service does not run (updates, SERVICE, FROM, LOAD)."""


class QuerySyntaxError(GatewayError):
    """The text is not a SPARQL query; the message gives the line, column and what was expected."""


def check_query(sparql: str) -> None:
    """Raise :class:`QueryRefused` or :class:`QuerySyntaxError` unless ``sparql`` is one query
    that a read-only service may run against its own data."""
    if not isinstance(sparql, str) or not sparql.strip():
        raise QuerySyntaxError(
            "The query is empty: send a SELECT, ASK, CONSTRUCT or DESCRIBE query."
        )
    try:
        parsed = parseQuery(sparql)
    except pyparsing.ParseException as error:
        if _is_update(sparql):
            raise QueryRefused(READ_ONLY) from None
        raise QuerySyntaxError(_pyparsing_message(error, sparql)) from None
    except RecursionError:
        raise QueryRefused("The query is nested too deeply to be parsed; simplify it.") from None
    _refuse_nodes(parsed)
    try:
        algebra = translateQuery(parsed, initNs=PREFIXES)
    except RecursionError:
        raise QueryRefused("The query is nested too deeply to be run; simplify it.") from None
    except Exception as error:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        raise QuerySyntaxError(f"The query is not valid SPARQL: {error}") from None
    _refuse_nodes(algebra.algebra)


def run_query(
    store: Store,
    sparql: str,
    *,
    base_iri: str | None = None,
    default_graph: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Check ``sparql`` and run it on ``store``.

    Without ``default_graph`` and ``named_graphs`` the default graph is the union of all named
    graphs. When either is given (the protocol's default-graph-uri / named-graph-uri), the
    dataset is exactly those graphs of the store, and an absent list means an empty one.
    Nothing is ever fetched: a graph the store lacks is empty.
    """
    check_query(sparql)
    options: dict[str, object] = {}
    if base_iri:
        options["base_iri"] = base_iri
    if default_graph is not None or named_graphs is not None:
        options["use_default_graph_as_union"] = False
        options["default_graph"] = list(_graph_nodes(default_graph or []))
        options["named_graphs"] = list(_graph_nodes(named_graphs or []))
    try:
        return store.query(sparql, **options)
    except SyntaxError as error:
        raise QuerySyntaxError(oxigraph_message(error, sparql)) from None


def oxigraph_message(error: SyntaxError, sparql: str) -> str:
    """pyoxigraph's syntax error, with its long list of expected characters shortened and the
    offending line shown with a caret under the column."""
    text = str(error).removeprefix("error ")
    head, _, expected = text.partition(": expected one of ")
    message = f"Syntax error {head}" + (
        f": expected one of {_shorten(expected)}" if expected else ""
    )
    line, _, rest = head.removeprefix("at ").partition(":")
    column = rest.split(":")[0]
    if line.isdigit() and column.isdigit():
        return f"{message}\n{_caret(sparql, int(line), int(column))}"
    return message


def _graph_nodes(iris: Iterable[str]) -> Iterator[ox.NamedNode]:
    for iri in iris:
        try:
            yield ox.NamedNode(iri)
        except ValueError:
            raise QueryRefused(f"{iri!r} is not a valid graph IRI.") from None


def _is_update(sparql: str) -> bool:
    try:
        parseUpdate(sparql)
    except (pyparsing.ParseException, RecursionError):
        return False
    return True


def _refuse_nodes(tree: object) -> None:
    """Walk a parse tree or algebra (CompValues, ParseResults, lists, dicts) for refused nodes."""
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name in _REFUSED_NODES:
                raise QueryRefused(_REFUSED_NODES[node.name])
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, pyparsing.ParseResults | list | tuple | set):
            stack.extend(node)


def _pyparsing_message(error: pyparsing.ParseException, sparql: str) -> str:
    found = sparql[error.loc : error.loc + 20].split("\n")[0]
    found = f"found {found!r}" if found else "found the end of the query"
    expected = _shorten(error.msg.removeprefix("Expected ").strip())
    return (
        f"Syntax error at line {error.lineno}, column {error.col}: expected {expected}, {found}.\n"
        f"{_caret(sparql, error.lineno, error.col)}"
    )


def _caret(sparql: str, line: int, column: int) -> str:
    lines = sparql.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].expandtabs(1)
    return f"  {text}\n  {' ' * max(column - 1, 0)}^"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_EXPECTED else text[: MAX_EXPECTED - 1] + "…"
