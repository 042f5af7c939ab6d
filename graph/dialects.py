"""What scrkg does differently on a server that is not standard: OpenLink Virtuoso's dialect.

* Virtuoso's default graph is the union of every graph, its own among them
  (:data:`VIRTUOSO_OWN_GRAPHS`), so a query on the default graph names scrkg's graphs as its
  dataset (``default-graph-uri`` and ``named-graph-uri``), and its own graphs are left out of
  scrkg's lists.
* Its blank node names (``nodeID://b1``) and its answers to ASK (a row ``__ASK_RETVAL``) are
  read as the standard ones (:class:`VirtuosoDialect`, :class:`StandardBnodes` for a stream),
  and a query it failed (HTTP 500) is not tried again.
* It keeps the literals of some datatypes as values and answers them in its own lexical form:
  scrkg reads them back in Oxigraph's (:func:`oxigraph_form`), and refuses before a load a
  literal whose value Virtuoso would change (:meth:`VirtuosoDialect.refuse_lost_values`).
* It keeps the operations of an update request that ran before one of them failed
  (:data:`KEEPS_PARTIAL_UPDATES`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import BinaryIO

import pyoxigraph as ox

from scrkg.graph.server_errors import RemoteStoreError
from scrkg.ontology import XSD

#: The graphs a fresh Virtuoso database holds for itself (its quad map schema, the LDP vocabulary
#: and its endpoint's description). Virtuoso's default graph is the union of every graph, so
#: scrkg names its own graphs as the dataset of each query and leaves these out of its lists.
#: (Virtuoso 7.2's ``define input:default-graph-exclude`` would be simpler, but with it a
#: ``GRAPH <iri>`` pattern counts wrong.)
VIRTUOSO_OWN_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
#: Datatypes whose literals Virtuoso keeps as values, answered in its own lexical form ("1" for
#: true, "1000.0" for a float 1E3): scrkg reads them back in Oxigraph's (the embedded store's).
VIRTUOSO_VALUE_TYPES = frozenset(
    XSD + t
    for t in [
        "boolean",
        "float",
        "double",
        "decimal",
        "integer",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "date",
        "dateTime",
        "time",
    ]
)
#: Datatypes whose values Virtuoso changes: durations become a number of seconds or months.
VIRTUOSO_LOST_TYPES = frozenset(
    XSD + t for t in ("duration", "dayTimeDuration", "yearMonthDuration")
)
#: Conventions of servers that keep the operations of an update request that ran before one of
#: them failed (they do roll back a request cut off by a crash).
KEEPS_PARTIAL_UPDATES = frozenset({"virtuoso"})
#: Virtuoso's blank nodes in SPARQL JSON results: ``"value": "nodeID://b10003"``.
_VIRTUOSO_BNODE = b'"type": "bnode", "value": "nodeID://'
_STANDARD_BNODE = b'"type": "bnode", "value": "'
_VIRTUOSO_ASK = "__ASK_RETVAL"


class VirtuosoDialect:
    """What scrkg does differently on OpenLink Virtuoso (docs/sparql-servers.md)."""

    @staticmethod
    def standard_bnodes(body: bytes) -> bytes:
        """Virtuoso names blank nodes ``nodeID://b10003`` in SPARQL JSON results, which is not
        a blank node label: ``b10003`` is (the names stay stable from one query to the next)."""
        return body.replace(_VIRTUOSO_BNODE, _STANDARD_BNODE)

    @staticmethod
    def standard_ask(
        results: ox.QuerySolutions | ox.QueryBoolean,
        body: bytes,
        results_format: ox.QueryResultsFormat,
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        """Virtuoso answers an ASK with one row binding ``__ASK_RETVAL`` to 1 or 0 instead of
        a boolean: read it as the boolean it stands for."""
        if not isinstance(results, ox.QuerySolutions):
            return results
        if [v.value for v in results.variables] != [_VIRTUOSO_ASK]:
            return results
        rows = list(results)
        value = rows[0][_VIRTUOSO_ASK] if rows else None
        truth = value is not None and value.value not in ("0", "false")
        answer = b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false")
        return ox.parse_query_results(answer, ox.QueryResultsFormat.JSON)

    @staticmethod
    def failure(url: str, action: str, text: str) -> str:
        """One line for Virtuoso's "500 SPARQL Request Failed", without the query it repeats."""
        reason = text.split("SPARQL query:")[0].strip() or "no reason given"
        if "SR171" in reason or "timed out" in reason.lower():
            return (
                f"The SPARQL server at {url} stopped the query at its time limit ({reason}): "
                "simplify the query, or raise MaxQueryExecutionTime in the [SPARQL] section of "
                "virtuoso.ini."
            )
        if "estimated execution time" in reason:
            return (
                f"The SPARQL server at {url} refused to start a query it estimates too slow "
                f"({reason}): simplify the query, or raise MaxQueryCostEstimationTime in the "
                "[SPARQL] section of virtuoso.ini."
            )
        return f"The SPARQL server at {url} failed to {action} (HTTP 500): {reason}"

    @staticmethod
    def refuse_lost_values(staged: Mapping[str, list[ox.Triple]], address: str) -> None:
        """Refuse, before anything is written, a literal whose value Virtuoso would change."""
        for graph, triples in staged.items():
            for triple in triples:
                literal = triple.object
                if (
                    isinstance(literal, ox.Literal)
                    and literal.datatype.value in VIRTUOSO_VALUE_TYPES | VIRTUOSO_LOST_TYPES
                ):
                    reason = _virtuoso_loses(literal)
                    if reason:
                        raise RemoteStoreError(
                            f"Virtuoso at {address} cannot keep the literal {literal} of "
                            f"<{graph}> ({reason}); nothing was written. Write that value as a "
                            "string, or keep this source on another server."
                        )


class StandardBnodes:
    """A stream of Virtuoso's SPARQL JSON results with its blank node names made standard as
    they arrive (see :meth:`VirtuosoDialect.standard_bnodes`)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pending = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        keep = len(_VIRTUOSO_BNODE) - 1  # a name cut between two chunks waits for the next
        while not self._done and (size < 0 or len(self._pending) < size + keep):
            chunk = self._raw.read(2**16)
            if not chunk:
                self._done = True
                break
            self._pending = (self._pending + chunk).replace(_VIRTUOSO_BNODE, _STANDARD_BNODE)
        if self._done:
            ready, self._pending = self._pending, b""
            if 0 <= size < len(ready):
                ready, self._pending = ready[:size], ready[size:]
            return ready
        cut = max(0, len(self._pending) - keep)
        if size >= 0:
            cut = min(cut, size)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return ready


def same_form(term: ox.Term) -> ox.Term:
    """A term as the server answered it (on a standard server)."""
    return term


def oxigraph_form(term: ox.Term) -> ox.Term:
    """A literal Virtuoso answered in its own lexical form, in the form Oxigraph stores it."""
    if isinstance(term, ox.Literal) and term.datatype.value in VIRTUOSO_VALUE_TYPES:
        return _stored_form(term.value, term.datatype.value)
    return term


@functools.lru_cache(maxsize=2**16)
def _stored_form(value: str, datatype: str) -> ox.Literal:
    literal = ox.Literal(value, datatype=ox.NamedNode(datatype))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), literal))
    return next(iter(store)).object  # type: ignore[return-value]


#: Years Virtuoso keeps (it writes year -44 as "-044").
_PLAIN_YEAR = re.compile(r"\d{4}-")
#: Significant digits Virtuoso keeps of a decimal (it stores a double).
VIRTUOSO_DECIMAL_DIGITS = 15


def _virtuoso_loses(literal: ox.Literal) -> str | None:
    """Why Virtuoso would not keep this literal's value, or None when it would."""
    datatype = literal.datatype.value.removeprefix(XSD)
    value = literal.value.strip().lstrip("+-")
    if literal.datatype.value in VIRTUOSO_LOST_TYPES:
        return "it keeps a duration as a number of seconds or months"
    if datatype in ("date", "dateTime") and not _PLAIN_YEAR.match(literal.value.strip()):
        return "it keeps only the years 0000 to 9999"
    if datatype == "decimal":
        whole, _, fraction = value.partition(".")
        digits = (whole + fraction.rstrip("0")).lstrip("0")
        if len(digits) > VIRTUOSO_DECIMAL_DIGITS:
            return f"it keeps {VIRTUOSO_DECIMAL_DIGITS} significant digits of a decimal"
    if (datatype.endswith(("nteger", "long")) or datatype == "int") and len(value.lstrip("0")) > 18:
        return "it keeps whole numbers of up to 18 digits"
    return None
