/* The query page: a CodeMirror SPARQL editor, running queries against the SPARQL endpoint with
   fetch when the user presses Run, and a results table in plain words: column headings spelt
   out (?reviewCount reads "review count"), each IRI shown by its label and linked to its page
   (the labels, and which IRIs are synthetic records, come from one more bounded query to the
   same endpoint), numbers and dates formatted, language tags and datatypes left out, and rows
   that list synthetic records tagged. Downloads keep the machine shapes. */
(function () {
  "use strict";
  var S = window.scrkg, el = S.el;
  var page = S.pageData();
  var MAX_SHOWN = 2000;
  var MAX_LABELLED = 400;  /* IRIs whose labels are asked for, at most, in one query */
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];
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

  /* ?reviewCount reads "review count"; ?real_children reads "real children". */
  function headingWords(name) {
    return String(name).replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ")
      .replace(/([A-Za-z])([0-9])/g, "$1 $2").toLowerCase();
  }

  function table(vars, rows) {
    if (rows.length > MAX_SHOWN) {
      notice("Showing the first " + MAX_SHOWN + " of " + rows.length + " rows; download the results for all of them.", "warning");
    }
    var shown = rows.slice(0, MAX_SHOWN);
    var wrap = el("div", { className: "results-wrap" }, el("p", { className: "hint", text: "Finding the labels…" }));
    results.appendChild(wrap);
    labelsFor(shown).then(function (info) {
      S.clear(wrap);
      var head = el("tr", null);
      vars.forEach(function (v) {
        head.appendChild(el("th", { scope: "col", text: headingWords(v), title: "?" + v }));
      });
      var body = el("tbody", null);
      var tagged = 0;
      shown.forEach(function (row) {
        var tr = el("tr", null);
        row.forEach(function (term, i) { tr.appendChild(el("td", null, cell(term, vars[i], info))); });
        var at = syntheticCell(row, vars, info);
        if (at !== -1) {
          tagged++;
          tr.className = "synthetic-row";
          if (row[at].type === "uri") {  /* the tag beside the first synthetic record */
            tr.children[at].appendChild(document.createTextNode(" "));
            tr.children[at].appendChild(el("span", { className: "synthetic-tag", text: "synthetic" }));
          }
        }
        body.appendChild(tr);
      });
      if (tagged) {
        wrap.appendChild(el("p", { className: "hint synthetic-rows", text: tagged + " of these rows list synthetic records (generated examples, not real cases), tagged synthetic." }));
      }
      wrap.appendChild(el("table", { className: "results-table" }, el("thead", null, head), body));
    });
  }

  function isSyntheticColumn(name) { return /^(is_?)?synthetic$/i.test(name || ""); }

  /* The cell of the first synthetic record of a row (an IRI, or a true synthetic column, which
     shows its own tag), or -1. */
  function syntheticCell(row, vars, info) {
    for (var i = 0; i < row.length; i++) {
      var term = row[i];
      if (!term) continue;
      if (term.type === "uri" && info.synthetic[term.value]) return i;
      if (term.type !== "uri" && isSyntheticColumn(vars[i]) && term.value === "true") return i;
    }
    return -1;
  }

  /* One query for the labels of the IRIs shown, and for which of them are synthetic records (a
     child is also synthetic when a synthetic review concerns it). An IRI that cannot be written
     in a query is left out; a failure leaves the names spelt out from the IRIs. */
  function labelsFor(rows) {
    var info = { labels: {}, synthetic: {} };
    var seen = {}, iris = [];
    rows.forEach(function (row) {
      row.forEach(function (term) {
        if (term && term.type === "uri" && !seen[term.value] && iris.length < MAX_LABELLED &&
            !/[\s<>"{}|^`\\]/.test(term.value)) {
          seen[term.value] = true;
          iris.push(term.value);
        }
      });
    });
    if (!iris.length) return Promise.resolve(info);
    var p = page.prefixes || {};
    var query = "PREFIX rdfs: <" + p.rdfs + ">\nPREFIX skos: <" + p.skos + ">\nPREFIX scr: <" + p.scr + ">\n" +
      "SELECT ?iri (SAMPLE(?l) AS ?label) (SAMPLE(?s) AS ?synthetic) WHERE {\n" +
      "  VALUES ?iri { " + iris.map(function (i) { return "<" + i + ">"; }).join(" ") + " }\n" +
      "  OPTIONAL { ?iri skos:prefLabel ?pl FILTER(lang(?pl) = \"\" || langMatches(lang(?pl), \"en\")) }\n" +
      "  OPTIONAL { ?iri rdfs:label ?rl FILTER(lang(?rl) = \"\" || langMatches(lang(?rl), \"en\")) }\n" +
      "  BIND(COALESCE(?pl, ?rl) AS ?l)\n" +
      "  BIND(EXISTS { ?iri scr:isSynthetic|^scr:concernsChild/scr:isSynthetic true } AS ?s)\n" +
      "} GROUP BY ?iri";
    return fetch(page.endpoint, {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: new URLSearchParams({ query: query }).toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      ((data && data.results && data.results.bindings) || []).forEach(function (b) {
        if (!b.iri) return;
        if (b.label) info.labels[b.iri.value] = b.label.value;
        if (b.synthetic && b.synthetic.value === "true") info.synthetic[b.iri.value] = true;
      });
      return info;
    }).catch(function () { return info; });
  }

  /* An IRI without a label in words: a term of a standard vocabulary by its plain words, else
     its last part spelt out ("concernsChild" reads "concerns child"). */
  function iriWords(iri) {
    if (page.words && page.words[iri]) return page.words[iri];
    var local = iri.replace(/[#/]+$/, "").split(/[#/]/).pop() || iri;
    try { local = decodeURIComponent(local); } catch (e) { /* shown as it is */ }
    return local.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[-_]/g, " ");
  }

  function cell(term, name, info) {
    if (!term) return el("span", { className: "unbound" });
    if (term.type === "uri") {
      var url = S.resourceUrl(term.value, page.links);
      var shown = S.visible(info.labels[term.value] || iriWords(term.value));
      return url ? el("a", { href: url, className: "iri", text: shown, title: term.value })
                 : el("span", { className: "iri external", text: shown, title: term.value });
    }
    if (term.type === "bnode") return el("span", { className: "bnode", text: "(unnamed node)" });
    if (isSyntheticColumn(name) && term.value === "true") {
      return el("span", { className: "synthetic-tag", text: "synthetic" });
    }
    return el("span", { className: "literal", text: S.visible(plainValue(term, name)) });
  }

  /* A literal as a reader would write it: 1,263; 15 June 2009; October 2010; yes. */
  function plainValue(term, name) {
    var value = term.value, type = term.datatype || "";
    if (type === XSD + "boolean") return value === "true" || value === "1" ? "yes" : "no";
    if (type === XSD + "date" || (!type && !term["xml:lang"] && /^\d{4}-\d{2}-\d{2}$/.test(value))) {
      return dayMonthYear(value) || value;
    }
    if (type === XSD + "dateTime") {
      var m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
      var day = m && dayMonthYear(m[1]);
      return day ? day + ", " + m[2] : value;
    }
    if (type === XSD + "gYearMonth") {
      var ym = /^(\d{4})-(\d{2})$/.exec(value);
      return ym && +ym[2] >= 1 && +ym[2] <= 12 ? MONTHS[+ym[2] - 1] + " " + ym[1] : value;
    }
    if (/^(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/.test(type.slice(XSD.length)) &&
        type.indexOf(XSD) === 0) {
      var n = Number(value);
      if (!isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) return value;
      var grouping = !/year|period/i.test(name || "");
      return n.toLocaleString("en-GB", { maximumFractionDigits: 6, useGrouping: grouping });
    }
    return value;
  }

  function dayMonthYear(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m || +m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31) return null;
    return (+m[3]) + " " + MONTHS[+m[2] - 1] + " " + m[1];
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
