"""The Download page (/download) and the mode of the files `scrkg export -o` writes.

The page lists the whole graph and each source with its statements and whether it holds
synthetic records, and links to /export, Turtle first; each link's file name is the one /export
really sends. Files written with -o get 0666 less the umask, like any file the user makes.
"""

from __future__ import annotations

import html
import re
import stat
from urllib.parse import urlencode

import pytest

from scrkg.cli import current_umask, main
from scrkg.graph.store import DiskStore

SYNTHETIC = "https://w3id.org/scrkg/id/graph/synthetic-cohort-2009-10"
REPORT = "https://w3id.org/scrkg/id/graph/ofsted-2009-10"


@pytest.fixture(scope="module")
def page(bundled_client) -> str:
    response = bundled_client.get("/download")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def links(fragment: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="(/export\?[^"]+)"', fragment)]


def test_the_page_is_in_the_header_navigation(page):
    assert '<a href="/download" aria-current="page">Download</a>' in page


def test_every_source_is_listed_with_its_statements_and_synthetic_flag(page, bundled_store):
    found = rows(page)
    graphs = bundled_store.named_graphs()
    assert len(found) == len(graphs) == 3
    for graph in graphs:
        [row] = [r for r in found if urlencode({"graph": graph}) + "&" in r]
        count = f"{bundled_store.triple_count(graph):,}"
        assert f'<td class="num">{count}</td>' in row
        assert ("synthetic-tag" in row) == (graph == SYNTHETIC), graph
    synthetic_row = next(r for r in found if "synthetic-cohort-2009-10" in r)
    assert "synthetic-cohort-2009-10.csv" in synthetic_row  # the file it was loaded from
    whole = f"{bundled_store.triple_count():,} statements from"
    assert whole in page


def test_turtle_comes_first_and_the_whole_graph_has_trig(page):
    whole = page.split('id="whole-heading"', 1)[1].split("</section>", 1)[0]
    assert [link.split("format=")[1] for link in links(whole)] == [
        "turtle", "trig", "ntriples", "nquads", "jsonld",
    ]  # fmt: skip
    for row in rows(page):
        formats = [link.split("format=")[1] for link in links(row)]
        assert formats[0] == "turtle" and sorted(formats) == sorted(
            ["turtle", "trig", "ntriples", "nquads", "jsonld"]
        )


def test_each_link_downloads_the_file_the_page_names(page, bundled_client):
    named = re.findall(r"<code[^>]*>([^<]+\.(?:ttl|trig))</code>", page)
    assert "scrkg-includes-synthetic.ttl" in named and "scrkg-includes-synthetic.trig" in named
    assert "scrkg-synthetic-cohort-2009-10-includes-synthetic.ttl" in named
    assert "scrkg-ofsted-2009-10.ttl" in named  # the published report: no synthetic records
    sent = []
    for link in sorted(set(links(page))):
        response = bundled_client.get(link)
        assert response.status_code == 200, link
        disposition = response.headers["Content-Disposition"]
        sent.append(disposition.split("filename=", 1)[1])
        response.close()
    assert set(named) <= set(sent)
    assert len(sent) == 5 * 4  # five formats of the whole graph and of each of three sources


def test_the_page_speaks_plainly(page):
    text = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split("</main>", 1)[0])
    for syntax in ("@prefix", "<http", "rdf:", "owl:", "skos:", "scr:", "SELECT", "triple"):
        assert syntax not in text, syntax
    assert "take Turtle" in text and "statements" in text


# ---------------------------------------------------------------------------------------------
# The mode of the files written with -o
# ---------------------------------------------------------------------------------------------


def test_the_umask_is_read_without_changing_it(umask):
    umask(0o027)
    assert current_umask() == 0o027
    assert current_umask() == 0o027
    umask(0o002)
    assert current_umask() == 0o002


@pytest.fixture(scope="module")
def bundled_disk_store(tmp_path_factory):
    from scrkg.loader import load_bundled

    store = tmp_path_factory.mktemp("download") / "store"
    load_bundled(DiskStore(store))
    return store


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
@pytest.mark.parametrize(
    "command", [["export"], ["export", "--format", "trig"], ["patterns", "risk-factors"]]
)
def test_files_written_with_o_get_the_users_usual_mode(
    runner, tmp_path, monkeypatch, umask, bundled_disk_store, mask, mode, command
):
    monkeypatch.setenv("SCRKG_STORE", str(bundled_disk_store))
    out = tmp_path / "out.file"
    umask(mask)
    result = runner.invoke(main, [*command, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert out.stat().st_size > 0
    # Replacing a file gives the new one the same mode, whatever the old one had.
    out.chmod(0o600)
    assert runner.invoke(main, [*command, "-o", str(out)]).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert current_umask() == mask  # and the umask is as it was
