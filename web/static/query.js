/* The query page: a CodeMirror SPARQL editor, running queries against the SPARQL endpoint with
   fetch when the user presses Run, and a results table whose IRIs link to resource pages. */
(function () {
  "use strict";
  var S = window.scrkg, el = S.el;
  var page = S.pageData();
  var MAX_SHOWN = 2000;
  var textarea = document.getElementById("query-text");
  var form = document.getElementById("query-form");
  var statusBox = document.getElementById("query-status");
  var notices = document.getElementById("query-notices");
  var results = document.getElementById("results");
  var permalink = document.getElementById("permalink");
  var network = document.getElementById("show-network");
  var editor = null;

  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      indentUnit: 2,
      viewportMargin: Infinity,
      extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run }
    });
    editor.on("change", updateLinks);
    // CodeMirror's own input has no name for screen readers, and its scroller takes no focus.
    editor.getInputField().setAttribute("aria-label", "SPARQL query");
    editor.getScrollerElement().setAttribute("tabindex", "0");
    editor.getScrollerElement().setAttribute("aria-label", "SPARQL query, scrollable");
  } else {
    textarea.addEventListener("input", updateLinks);
  }

  function queryText() {
    return editor ? editor.getValue() : textarea.value;
  }

  function updateLinks() {
    var q = encodeURIComponent(queryText());
    permalink.href = "/query?query=" + q;
    network.href = "/explore?query=" + q;
    document.querySelectorAll("a.download").forEach(function (a) {
      a.href = page.downloads + "?format=" + encodeURIComponent(a.dataset.format) + "&query=" + q;
    });
  }

  function setStatus(text, kind) {
    statusBox.textContent = text;
    statusBox.className = "status" + (kind ? " " + kind : "");
  }

  function notice(text, kind) {
    notices.appendChild(el("p", { className: "notice " + (kind || ""), text: text }));
  }

  function run(event) {
    if (event && event.preventDefault) event.preventDefault();
    var q = queryText();
    updateLinks();
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "/query?query=" + encodeURIComponent(q));
    }
    var notRun = document.getElementById("not-run");
    if (notRun) notRun.remove();
    S.clear(notices);
    S.clear(results);
    setStatus("Running…", "running");
    var started = performance.now();
    fetch(page.endpoint, {
      method: "POST",
      headers: {
        "Accept": "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.1",
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"
      },
      body: new URLSearchParams({ query: q }).toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (body) {
        var ms = Math.round(performance.now() - started);
        showHeaders(response);
        if (!response.ok) {
          showError(response, body);
          return;
        }
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("json") !== -1) {
          showJson(JSON.parse(body), ms);
        } else if (type.indexOf("n-triples") !== -1 || type.indexOf("text/plain") !== -1) {
          showTriples(body, ms);
        } else {
          setStatus("Done in " + ms + " ms; the answer is " + type + ".", "ok");
          results.appendChild(el("pre", { text: body }));
        }
      });
    }).catch(function (error) {
      setStatus("The query could not be sent: " + error, "error");
    });
    return false;
  }

  /* Anything the endpoint says about limits in its headers is shown as it is. */
  function showHeaders(response) {
    response.headers.forEach(function (value, name) {
      if (/truncat|limit|warning|timeout|deadline|retry-after|^x-scrkg/i.test(name)) {
        notice(name + ": " + value, "warning");
      }
    });
  }

  function showError(response, body) {
    var message = body;
    try {
      var data = JSON.parse(body);
      message = data.error || data.message || data.detail || body;
    } catch (e) { /* a plain-text message */ }
    var lead = "The query failed";
    if (response.status === 503 || response.status === 504) lead = "The query timed out or the service is busy";
    else if (response.status === 429) lead = "Too many queries are running";
    else if (response.status === 413) lead = "The query is too large";
    else if (response.status === 400) lead = "The query was refused";
    setStatus(lead + " (HTTP " + response.status + ").", "error");
    results.appendChild(el("pre", { className: "error-message", text: String(message).trim() }));
  }

  function showJson(data, ms) {
    Object.keys(data).forEach(function (key) {
      if (key !== "head" && key !== "results" && key !== "boolean") {
        var value = data[key];
        if (key === "truncated" && value && typeof value.message === "string") {
          notice(value.message, "warning truncated");  /* the site cut the result at a limit */
          return;
        }
        notice(key + ": " + (typeof value === "string" ? value : JSON.stringify(value)), "warning");
      }
    });
    if (typeof data.boolean === "boolean") {
      setStatus("Done in " + ms + " ms.", "ok");
      results.appendChild(el("p", { className: "ask-answer", text: "Answer: " + data.boolean }));
      return;
    }
    var vars = (data.head && data.head.vars) || [];
    var rows = (data.results && data.results.bindings) || [];
    setStatus(rows.length + " row" + (rows.length === 1 ? "" : "s") + " in " + ms + " ms.", "ok");
    table(vars, rows.map(function (b) { return vars.map(function (v) { return b[v]; }); }));
  }

  function table(vars, rows) {
    if (rows.length > MAX_SHOWN) {
      notice("Showing the first " + MAX_SHOWN + " of " + rows.length + " rows; download the results for all of them.", "warning");
    }
    var head = el("tr", null);
    vars.forEach(function (v) { head.appendChild(el("th", { scope: "col", text: v })); });
    var body = el("tbody", null);
    rows.slice(0, MAX_SHOWN).forEach(function (row) {
      var tr = el("tr", null);
      row.forEach(function (term) { tr.appendChild(el("td", null, cell(term))); });
      body.appendChild(tr);
    });
    results.appendChild(el("table", { className: "results-table" }, el("thead", null, head), body));
  }

  /* scr:Child for https://w3id.org/scrkg/def#Child, with the ontology's prefixes. */
  function compact(iri) {
    var best = null;
    Object.keys(page.prefixes || {}).forEach(function (name) {
      var ns = page.prefixes[name];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [name, ns];
    });
    if (!best) return iri;
    var local = iri.slice(best[1].length);
    return /^[A-Za-z0-9_][A-Za-z0-9_.%/-]*$/.test(local) ? best[0] + ":" + local : iri;
  }

  function cell(term) {
    if (!term) return el("span", { className: "unbound" });
    if (term.type === "uri") {
      var url = S.resourceUrl(term.value, page.links), shown = S.visible(compact(term.value));
      return url ? el("a", { href: url, className: "iri", text: shown, title: term.value })
                 : el("span", { className: "iri external", text: shown, title: term.value });
    }
    if (term.type === "bnode") return el("span", { className: "bnode", text: "_:" + term.value });
    var span = el("span", { className: "literal", text: S.visible(term.value) });
    if (term["xml:lang"]) span.appendChild(el("small", { className: "lang", text: " @" + term["xml:lang"] }));
    return span;
  }

  /* N-Triples, one triple a line, into a three-column table. */
  function showTriples(body, ms) {
    var rows = [];
    body.split("\n").forEach(function (line) {
      line = line.trim();
      if (!line || line[0] === "#") return;
      var terms = [], rest = line;
      for (var i = 0; i < 3; i++) {
        var parsed = parseTerm(rest);
        if (!parsed) return;
        terms.push(parsed.term);
        rest = parsed.rest;
      }
      rows.push(terms);
    });
    setStatus(rows.length + " triple" + (rows.length === 1 ? "" : "s") + " in " + ms + " ms.", "ok");
    table(["subject", "predicate", "object"], rows);
  }

  function unescape(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, function (m, e) {
      if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f", '"': '"', "'": "'", "\\": "\\" }[e] || e;
    });
  }

  function parseTerm(text) {
    text = text.replace(/^\s+/, "");
    var m;
    if ((m = /^<([^>]*)>/.exec(text))) return { term: { type: "uri", value: unescape(m[1]) }, rest: text.slice(m[0].length) };
    if ((m = /^_:(\S+)/.exec(text))) return { term: { type: "bnode", value: m[1] }, rest: text.slice(m[0].length) };
    if ((m = /^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?/.exec(text))) {
      var term = { type: "literal", value: unescape(m[1]) };
      if (m[2]) term["xml:lang"] = m[2];
      if (m[3]) term.datatype = m[3];
      return { term: term, rest: text.slice(m[0].length) };
    }
    return null;
  }

  form.addEventListener("submit", run);
  updateLinks();
  /* Only a saved query runs when the page opens; text from a link waits for the Run button. */
  if (page.autorun) run();
})();
