/* Patterns across reviews: one co-occurrence network drawn with vis-network 9.1.2, sortable
   tables, and the reviews behind a node or an edge fetched from /api/patterns/<kind>/reviews.

   Safety as in explore.js: labels are drawn on a canvas, hover titles are plain strings (shown
   with innerText by vis-network 9.1.2), the side panel is built with textContent, and nothing is
   fetched from another origin. */
(function () {
  "use strict";
  var S = window.scrkg, el = S.el;
  var page = S.pageData();
  var vis = window.vis;
  var container = document.getElementById("network");
  var statusBox = document.getElementById("pattern-status");
  var details = document.getElementById("details");
  var widthSelect = document.getElementById("edge-width");
  var onlyAssociated = document.getElementById("only-associated");
  var LABEL_MAX = 28;
  /* Community colours (colour-blind friendly, Okabe-Ito then greys). */
  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
                 "#000000", "#7f8c8d", "#95a5a6", "#bdc3c7"];

  function setStatus(text, kind) {
    statusBox.textContent = text;
    statusBox.className = "status" + (kind ? " " + kind : "");
  }

  function shortLabel(text) {
    text = S.visible(String(text || ""));
    return text.length > LABEL_MAX ? text.slice(0, LABEL_MAX - 1) + "…" : text;
  }

  function fixed(x, places) { return Number(x).toFixed(places); }
  function percent(x) { return (100 * x).toFixed(1) + "%"; }

  var byIri = {};
  page.nodes.forEach(function (n) { byIri[n.iri] = n; });
  function labelOf(iri) { return byIri[iri] ? byIri[iri].label : iri; }

  /* ---------------------------------------------------------------- the network */

  function nodeData(n) {
    var colour = PALETTE[(n.community - 1) % PALETTE.length];
    var data = {
      id: n.iri,
      label: shortLabel(n.label),
      value: n.count,
      title: [S.visible(n.label),
              n.count + " " + page.unit + " (" + percent(n.support) + ")" + (n.few_cases ? ", few cases" : ""),
              "associated with " + n.degree + "; betweenness " + fixed(n.betweenness, 3),
              "community " + n.community].join("\n"),
      color: { background: colour, border: "#1c2833", highlight: { background: colour, border: "#000000" } },
      shape: "dot"
    };
    if (n.few_cases) data.shapeProperties = { borderDashes: [4, 3] };
    return data;
  }

  function strength(e) { return widthSelect.value === "count" ? e.count : e.lift; }
  function shown(e) { return !(onlyAssociated.checked && !e.associated); }

  /* Edge width from 1 to 10 px over the range of the shown pairs that rest on enough cases, so
     that a few-cases pair with an extreme lift does not squash every other edge to 1 px;
     few-cases pairs are drawn 1 px wide and dashed. */
  function widthScale() {
    var values = page.edges.filter(function (e) { return shown(e) && !e.few_cases; }).map(strength);
    if (!values.length) values = page.edges.map(strength);
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    return function (e) {
      if (e.few_cases) return 1;
      if (!(hi > lo)) return 3;
      var x = Math.min(Math.max(strength(e), lo), hi);
      return 1 + (9 * (x - lo)) / (hi - lo);
    };
  }

  function edgeData(e, width) {
    return {
      id: e.a + "\n" + e.b, from: e.a, to: e.b, a: e.a, b: e.b,
      width: width(e),
      dashes: e.few_cases,
      physics: e.associated,  /* the layout follows the association network only */
      hidden: !shown(e),
      color: { color: e.associated ? "#2c3e50" : "rgba(127, 140, 141, 0.45)", highlight: "#c0392b" },
      title: [S.visible(e.a_label) + " + " + S.visible(e.b_label),
              e.count + " " + page.unit + " (expected " + fixed(e.expected, 1) + ")",
              "lift " + fixed(e.lift, 3) + ", PMI " + fixed(e.pmi, 3),
              e.few_cases ? "few cases: not evidence" : (e.associated ? "associated" : "not associated")].join("\n")
    };
  }

  function allEdges() {
    var width = widthScale();
    return page.edges.map(function (e) { return edgeData(e, width); });
  }

  var nodes = new vis.DataSet(page.nodes.map(nodeData));
  var edges = new vis.DataSet(allEdges());
  var options = {
    nodes: { scaling: { min: 8, max: 40, label: { enabled: true, min: 12, max: 20 } }, font: { size: 14 } },
    edges: { smooth: false, selectionWidth: 2 },
    physics: {
      solver: "barnesHut",
      barnesHut: { gravitationalConstant: -6000, centralGravity: 0.4, springLength: 160, avoidOverlap: 0.4 },
      stabilization: { iterations: 400 }
    },
    /* autoFocus off: vis-network would focus its box whenever the pointer moves over it, and a
       box lower than the window then scrolls into view under the pointer, so the first click
       landed beside the node it aimed at. The box takes focus on a press instead, without
       scrolling, so the arrow keys and + and - still work after a click. */
    interaction: { hover: true, tooltipDelay: 150,
                   keyboard: { enabled: true, bindToWindow: false, autoFocus: false } },
    layout: { randomSeed: 7, improvedLayout: true }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var box = container.querySelector(".vis-network");
  if (box) {
    box.addEventListener("pointerdown", function () { box.focus({ preventScroll: true }); });
  }
  var settled = false;
  function settle() {
    if (settled) return;
    settled = true;
    network.setOptions({ physics: false });
    network.fit({ maxZoomLevel: 3, animation: false });
    container.dataset.ready = "true";
    setStatus(page.nodes.length + " items and " + page.edges.length + " pairs over " + page.cases +
              " " + page.unit + ".", "ok");
  }
  network.once("stabilizationIterationsDone", settle);
  network.once("stabilized", settle);
  window.setTimeout(settle, 10000);

  function redrawEdges() { edges.update(allEdges()); }
  widthSelect.addEventListener("change", redrawEdges);
  onlyAssociated.addEventListener("change", redrawEdges);

  network.on("click", function (params) {
    if (params.nodes.length) {
      showReviews(params.nodes[0], null);
    } else if (params.edges.length) {
      var edge = edges.get(params.edges[0]);
      if (edge) showReviews(edge.a, edge.b);
    }
  });
  window.scrkgPatterns = { network: network, nodes: nodes, edges: edges };

  /* ---------------------------------------------------------------- the reviews behind */

  function getJson(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) throw new Error((data && data.error) || ("HTTP " + response.status));
          return data;
        });
      });
  }

  function reviewsUrl(item, other) {
    var params = new URLSearchParams();
    params.set("item", item);
    if (other) params.set("other", other);
    Object.keys(page.filters).forEach(function (key) {
      if (page.filters[key]) params.set(key, page.filters[key]);
    });
    return page.api + "?" + params.toString();
  }

  function showReviews(item, other) {
    S.clear(details);
    details.appendChild(el("h2", { text: "Selection" }));
    var title = other ? labelOf(item) + " + " + labelOf(other) : labelOf(item);
    details.appendChild(el("h3", { text: S.visible(title) }));
    var box = el("div", { className: "hint", text: "Looking for the reviews…" });
    details.appendChild(box);
    if (details.getBoundingClientRect().top < 0) details.scrollIntoView({ block: "nearest" });
    getJson(reviewsUrl(item, other)).then(function (data) {
      S.clear(box);
      box.className = "";
      var count = data.unit === "reviews" ? data.cases + " reviews" :
        data.cases + " " + data.unit + ", from " + data.reviews_total + (data.reviews_total === 1 ? " review" : " reviews");
      box.appendChild(el("p", { text: count +
        (data.truncated ? " (the first " + data.reviews.length + " listed)" : "") + ":" }));
      var list = el("ul", { className: "search-results" });
      data.reviews.forEach(function (r) {
        var url = r.url || S.resourceUrl(r.iri, page.links);
        var name = S.visible(r.label || r.iri);
        list.appendChild(el("li", null, url ? el("a", { href: url, text: name }) : name,
          r.synthetic ? el("span", { className: "synthetic-tag", text: " synthetic" }) : null));
      });
      box.appendChild(list);
    }).catch(function (error) { box.textContent = "The reviews could not be fetched: " + error.message; });
  }

  document.querySelectorAll("button.show-reviews").forEach(function (button) {
    button.addEventListener("click", function () {
      showReviews(button.dataset.item, button.dataset.other || null);
    });
  });

  /* ---------------------------------------------------------------- sortable tables */

  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    heads.forEach(function (th, column) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") !== "descending";
        if (th.getAttribute("aria-sort") === null && button.dataset.type === "text") descending = false;
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        sortRows(table, column, button.dataset.type === "num", descending);
      });
    });
  });

  function sortRows(table, column, numeric, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      var cell = row.cells[column];
      var key = numeric ? Number(cell.dataset.sort) : cell.textContent.trim().toLocaleLowerCase();
      return { row: row, key: key, index: index };
    });
    rows.sort(function (x, y) {
      var order = numeric ? x.key - y.key : x.key.localeCompare(y.key);
      if (descending) order = -order;
      return order || x.index - y.index;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
  }
})();
