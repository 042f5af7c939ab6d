"""The scrkg graph: where the data lives, how a query is run, and the data the pages show.

Two tables that every layer reads: ``settings`` (every environment setting: name, default,
help, who reads it) and ``formats`` (every data format: name, media type, extension, the
pyoxigraph format, where it is used).

Three layers, each importing only the ones above it:

**Storage** (what a backend can do, declared on :class:`store.Store`: ``evaluates_here``,
``worker_path``, ``version()``, ``snapshot_dir()``)

* ``store``: :class:`~store.Store`, :class:`~store.DiskStore` (immutable snapshots behind an
  atomic pointer), :class:`~store.MemoryStore`, :func:`~store.open_store`, ``StoreError`` and its
  kinds, ``EXPORT_FORMATS``.
* ``remote``: :class:`~remote.RemoteStore` on a SPARQL server and ``RemoteSettings``; its parts:
  ``endpoints`` (the server's URLs by its convention, ``CONVENTIONS``), ``server_http``
  (:class:`~server_http.ServerHttp`: sessions, ``Credentials``, timeouts, retries, answers read
  and checked), ``dialects`` (what differs on Virtuoso), ``staging`` (a load's staging graphs
  and their switch, :class:`~staging.StagedLoad`), ``server_errors`` (``RemoteStoreError`` and
  its kinds); ``store_copy``: :func:`~store_copy.copy_store` between any two stores.

**Running queries** (a user's SPARQL, checked, confined and capped)

* ``gateway``: :class:`~gateway.QueryGateway`, ``Limits``, ``GatewayError``, ``NotAcceptable``,
  ``query_hash``; ``workers`` and ``sandbox`` (worker processes, seccomp) behind it.
* ``result_writers``: results written in each format under a row and byte cap (``Written``,
  ``truncation_message``); ``tables``: results as a terminal's table, CSV, TSV or JSON for the
  command line, and spreadsheet-safe cells for downloads.
* ``errors``: ``GatewayError``, ``QuerySyntaxError``, ``SettingError``.
* ``saved``: the saved analyst queries.

**Data for pages** (each answer remembered per store version: ``memo.per_version``)

* ``charts`` (the dashboard), ``figures`` (published figures and series), ``neighbours`` (the
  explorer), ``patterns`` (what occurs together), ``search`` (words, facets, reviews like this
  one), ``synthetic_notice`` (how downloads say they hold synthetic records).

Import the module you need (``from scrkg.graph.store import open_store``); nothing is imported
here, so that the command line starts quickly.
"""
