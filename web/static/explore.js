/* The network explorer: vis-network 9.1.2 over data from the site's JSON APIs.

   Safety: labels are drawn on a canvas; hover summaries are plain strings, which vis-network
   9.1.2 shows with innerText (only an Element would be inserted as markup, and we never pass
   one); the side panel is built with textContent. Nothing is fetched from another origin. */
(function () {
  "use strict";
  var S = window.scrkg, el = S.el;
  var page = S.pageData();
  var vis = window.vis;
  var container = document.getElementById("network");
  var statusBox = document.getElementById("explore-status");
  var details = document.getElementById("details");
  var legendBox = document.getElementById("class-filter");
  var BIG = 300;          /* from this many nodes on: no edge labels, straight edges */
  var LABEL_MAX = 32;

  var groupInfo = {};
  page.groups.forEach(function (g) { groupInfo[g.key] = g; });

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var hiddenGroups = new Set();
  var filters = { "lesson-theme": null, "risk-factor": null };
  var expanded = new Set();
  var network = null;
  var message = "";

  /* ---------------------------------------------------------------- visibility and filters */

  function nodeVisible(node) {
    if (!node) return false;
    if (node.more) return nodeVisible(nodes.get(node.more.center));
    if (hiddenGroups.has(node.group)) return false;
    var keys = Object.keys(filters);
    for (var i = 0; i < keys.length; i++) {
      var keep = filters[keys[i]];
      if (keep && !keep.has(node.id)) return false;
    }
    return true;
  }
  var nodesView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgesView = new vis.DataView(edges, {
    filter: function (edge) { return nodeVisible(nodes.get(edge.from)) && nodeVisible(nodes.get(edge.to)); }
  });

  function refreshFilters() {
    nodesView.refresh();
    edgesView.refresh();
    updateLegend();
    updateStatus();
  }

  /* ---------------------------------------------------------------- status and legend */

  function setStatus(text, kind) {
    statusBox.textContent = text;
    statusBox.className = "status" + (kind ? " " + kind : "");
  }

  function updateStatus() {
    var shown = nodesView.length, all = nodes.length;
    var text = shown + " nodes and " + edgesView.length + " links on screen";
    if (shown < all) text += " (" + (all - shown) + " hidden by filters)";
    text += ".";
    if (message) text += " " + message;
    setStatus(text, "ok");
    statusBox.dataset.nodes = String(all);
  }

  function updateLegend() {
    var counts = {};
    nodes.forEach(function (n) { if (!n.more) counts[n.group] = (counts[n.group] || 0) + 1; });
    S.clear(legendBox);
    legendBox.appendChild(el("legend", { text: "Classes on screen (colour and shape)" }));
    page.groups.forEach(function (g) {
      if (!counts[g.key]) return;
      var box = el("input", { type: "checkbox", checked: !hiddenGroups.has(g.key), value: g.key });
      box.addEventListener("change", function () {
        if (box.checked) hiddenGroups.delete(g.key); else hiddenGroups.add(g.key);
        refreshFilters();
      });
      var swatch = el("span", { className: "swatch shape-" + g.shape });
      swatch.style.backgroundColor = g.color;
      legendBox.appendChild(el("label", { className: "legend-item" }, box, swatch,
        g.label + " (" + counts[g.key] + ")"));
    });
  }

  function bindFilter(selectId, kind) {
    var select = document.getElementById(selectId);
    select.addEventListener("change", function () {
      if (!select.value) {
        filters[kind] = null;
        refreshFilters();
        return;
      }
      getJson("/api/filter?kind=" + encodeURIComponent(kind) + "&iri=" + encodeURIComponent(select.value))
        .then(function (data) {
          filters[kind] = new Set(data.iris);
          refreshFilters();
        }).catch(quiet);
    });
  }

  /* ---------------------------------------------------------------- data in */

  /* For promises whose failure getJson has already shown in the status line. */
  function quiet() {}

  function getJson(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var text = (data && data.error) || ("HTTP " + response.status);
            setStatus(text, "error");
            throw new Error(text);
          }
          return data;
        });
      });
  }

  function shortLabel(text) {
    text = String(text || "");
    return text.length > LABEL_MAX ? text.slice(0, LABEL_MAX - 1) + "…" : text;
  }

  function nodeData(item) {
    var data = {
      id: item.iri,
      label: shortLabel(item.label),
      title: String(item.title || item.label || item.iri),   /* plain text, shown with innerText */
      group: groupInfo[item.group] ? item.group : "other",
      url: item.url || null,
      synthetic: !!item.synthetic,
      fullLabel: String(item.label || "")
    };
    if (item.synthetic) data.shapeProperties = { borderDashes: [4, 3] };
    return data;
  }

  function edgeId(from, property, to) {
    return from + "\n" + property + "\n" + to;
  }

  function edgeData(from, property, to, label) {
    return {
      id: edgeId(from, property, to), from: from, to: to, property: property,
      title: String(label || property), plainLabel: String(label || ""),
      label: nodes.length < BIG ? String(label || "") : undefined
    };
  }

  /* Where to put new neighbours of `center` (physics is off once the first layout settled):
     on an arc facing away from the neighbours it already has, so they do not land on them. */
  function ring(center, count) {
    var origin = { x: 0, y: 0 };
    if (network && nodes.get(center)) {
      var pos = network.getPositions([center])[center];
      if (pos) origin = pos;
    }
    var facing = Math.random() * Math.PI * 2, spread = Math.PI * 2, around = [];
    if (network && nodes.get(center)) {
      around = network.getConnectedNodes(center);
      var sx = 0, sy = 0, k = 0;
      var places = network.getPositions(around);
      around.forEach(function (id) { if (places[id]) { sx += places[id].x; sy += places[id].y; k++; } });
      if (k) {
        var dx = origin.x - sx / k, dy = origin.y - sy / k;
        if (Math.abs(dx) + Math.abs(dy) > 1) {
          facing = Math.atan2(dy, dx);
          spread = Math.min(Math.PI * 2, Math.PI * 0.6 + count * 0.35);
        }
      }
    }
    /* Further out when the node already has many neighbours (the next page of a group). */
    var radius = 150 + count * 6 + (around.length > 8 ? around.length * 5 : 0), spots = [];
    for (var i = 0; i < count; i++) {
      var share = spread >= Math.PI * 2 ? i / Math.max(count, 1) : (count > 1 ? i / (count - 1) - 0.5 : 0);
      var angle = facing + share * spread;
      var r = radius + (i % 2) * 40;
      spots.push({ x: origin.x + r * Math.cos(angle), y: origin.y + r * Math.sin(angle) });
    }
    return spots;
  }

  function moreId(center, direction, property) {
    return "more\n" + center + "\n" + direction + "\n" + property;
  }

  /* Merge neighbour groups of `center` (from /api/neighbours) into the network. */
  function mergeGroups(center, groups) {
    var fresh = [];
    groups.forEach(function (g) {
      g.items.forEach(function (item) { if (!nodes.get(item.iri) && fresh.indexOf(item.iri) < 0) fresh.push(item.iri); });
    });
    var spots = ring(center, fresh.length + groups.filter(function (g) { return g.more > 0; }).length);
    var spot = 0, newNodes = [], newEdges = [];
    groups.forEach(function (g) {
      g.items.forEach(function (item) {
        var data = nodeData(item);
        if (!nodes.get(item.iri) && !newNodes.some(function (n) { return n.id === item.iri; })) {
          data.x = spots[spot].x; data.y = spots[spot].y; spot++;
          newNodes.push(data);
        } else {
          nodes.update(data);
        }
        var from = g.direction === "out" ? center : item.iri;
        var to = g.direction === "out" ? item.iri : center;
        newEdges.push(edgeData(from, g.property, to, g.label));
      });
      var mid = moreId(center, g.direction, g.property);
      if (nodes.get(mid)) nodes.remove(mid);
      if (g.more > 0) {
        var place = spots[spot++] || { x: 0, y: 0 };
        newNodes.push({
          id: mid, x: place.x, y: place.y, group: "more",
          label: "+" + g.more + " more\n" + shortLabel(g.label),
          title: g.more + " more links (" + g.label + "); click to show the next " + page.limit,
          more: { center: center, property: g.property, direction: g.direction,
                  offset: g.offset + g.items.length }
        });
        newEdges.push({ id: "edge-" + mid, from: center, to: mid, dashes: true, moreEdge: true,
                        title: "more " + g.label });
      }
    });
    nodes.update(newNodes);
    edges.update(newEdges);
    keepInView(newNodes.map(function (n) { return n.id; }));
    updateLegend();
    updateStatus();
  }

  /* Zoom out (without animation) when new nodes landed outside the visible part. */
  function keepInView(ids) {
    if (!network || !ids.length) return;
    var width = container.clientWidth, height = container.clientHeight;
    var places = network.getPositions(ids);
    var outside = ids.some(function (id) {
      if (!places[id]) return false;
      var dom = network.canvasToDOM(places[id]);
      return dom.x < 20 || dom.y < 20 || dom.x > width - 20 || dom.y > height - 20;
    });
    if (outside) network.fit({ animation: false });
  }

  function expand(iri) {
    if (expanded.has(iri)) return Promise.resolve();
    expanded.add(iri);
    setStatus("Fetching the neighbours…", "running");
    return getJson("/api/neighbours?iri=" + encodeURIComponent(iri)).then(function (data) {
      if (!nodes.get(iri)) nodes.add(nodeData(data.node));
      mergeGroups(iri, data.groups);
      return data;
    }).catch(function () { expanded.delete(iri); });
  }

  function expandMore(node) {
    var m = node.more;
    setStatus("Fetching more…", "running");
    var url = "/api/neighbours?iri=" + encodeURIComponent(m.center) +
      "&property=" + encodeURIComponent(m.property) + "&direction=" + m.direction +
      "&offset=" + m.offset;
    getJson(url).then(function (data) { mergeGroups(m.center, data.groups); }).catch(quiet);
  }

  /* Groups that many records point to (concepts, documents): hubs that would pull a large
     graph into one ball. */
  function isHub(group) {
    var info = groupInfo[group];
    return !!info && (info.shape === "diamond" || group === "scheme" || group === "figure" ||
                      group === "document" || group === "term");
  }

  /* A first layout for a large view: each review on a sunflower spiral with its records
     around it, hubs on a ring outside; links to hubs exert no pull, so the reviews stay
     apart and the layout settles in few iterations. */
  function seedLayout(newNodes, newEdges) {
    var byId = {}, anchor = {}, reviews = [];
    newNodes.forEach(function (n) { byId[n.id] = n; if (n.group === "review") reviews.push(n); });
    reviews.forEach(function (n, i) {
      var r = 110 * Math.sqrt(i + 1), a = i * 2.39996;
      n.x = r * Math.cos(a); n.y = r * Math.sin(a); anchor[n.id] = n;
    });
    for (var pass = 0; pass < 3; pass++) {
      newEdges.forEach(function (e) {
        var a = byId[e.from], b = byId[e.to];
        if (!a || !b || isHub(a.group) || isHub(b.group)) return;
        if (anchor[a.id] && !anchor[b.id]) anchor[b.id] = anchor[a.id];
        else if (anchor[b.id] && !anchor[a.id]) anchor[a.id] = anchor[b.id];
      });
    }
    var outer = 110 * Math.sqrt(reviews.length + 1) + 300, hubs = newNodes.filter(function (n) { return isHub(n.group); });
    hubs.forEach(function (n, i) {
      var a = (2 * Math.PI * i) / Math.max(hubs.length, 1);
      n.x = outer * Math.cos(a); n.y = outer * Math.sin(a);
    });
    newNodes.forEach(function (n) {
      if (n.x !== undefined) return;
      var home = anchor[n.id] || { x: 0, y: 0 }, a = Math.random() * 2 * Math.PI, r = 25 + Math.random() * 45;
      n.x = home.x + r * Math.cos(a); n.y = home.y + r * Math.sin(a);
    });
    newEdges.forEach(function (e) {
      var a = byId[e.from], b = byId[e.to];
      if ((a && isHub(a.group)) || (b && isHub(b.group))) {
        e.physics = false;
        e.color = { color: "rgba(150, 160, 165, 0.12)", highlight: "#1c2833", hover: "#566573" };
      }
    });
  }

  function loadView(data) {
    message = data.message || "";
    var newNodes = data.nodes.map(nodeData);
    var big = nodes.length + newNodes.length >= BIG;
    var newEdges = data.edges.map(function (e) {
      var d = edgeData(e.from, e.property, e.to, e.label);
      if (big) d.label = undefined;
      return d;
    });
    if (big) seedLayout(newNodes, newEdges);
    nodes.update(newNodes);
    edges.update(newEdges);
    if (data.nodes.length === 0) {
      setStatus(message || "Nothing to show.", "warning");
    }
  }

  /* ---------------------------------------------------------------- the network */

  function makeNetwork() {
    var big = nodes.length >= BIG;
    var visGroups = {};
    page.groups.forEach(function (g) {
      visGroups[g.key] = {
        shape: g.shape,
        color: { background: g.color, border: "#2c3e50", highlight: { background: g.color, border: "#000" },
                 hover: { background: g.color, border: "#000" } }
      };
    });
    visGroups.more = {
      shape: "box", color: { background: "#ffffff", border: "#7f8c8d" }, font: { color: "#2c3e50", size: 11 },
      shapeProperties: { borderDashes: [3, 3] }
    };
    var options = {
      groups: visGroups,
      nodes: { size: 12, borderWidth: 1, font: { size: 12, color: "#1c2833", multi: false } },
      edges: {
        arrows: { to: { enabled: true, scaleFactor: 0.5 } },
        color: { color: "#a6acaf", highlight: "#1c2833", hover: "#566573" },
        font: { size: 9, color: "#566573", align: "middle", multi: false, strokeWidth: 3 },
        smooth: big ? false : { enabled: true, type: "continuous", roundness: 0.3 },
        width: 1, hoverWidth: 0.5, selectionWidth: 2
      },
      layout: { improvedLayout: nodes.length < 100, randomSeed: 7 },
      physics: {
        enabled: true,
        solver: "barnesHut",
        barnesHut: { gravitationalConstant: big ? -2500 : -4000, centralGravity: big ? 0.05 : 0.3,
                     springLength: big ? 80 : 130, springConstant: 0.04, damping: 0.35,
                     avoidOverlap: big ? 0 : 0.2 },
        stabilization: { enabled: true, iterations: big ? 25 : 300, updateInterval: 5, fit: true },
        minVelocity: 1
      },
      interaction: {
        hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
        multiselect: false, navigationButtons: false, keyboard: { enabled: true, bindToWindow: false }
      }
    };
    network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
    var settled = false;
    function settle() {
      if (settled) return;
      settled = true;
      network.setOptions({ physics: false });
      network.fit();
      container.dataset.ready = "true";
      updateStatus();
    }
    network.on("stabilizationProgress", function (p) {
      setStatus("Laying out " + nodes.length + " nodes… " + Math.round((100 * p.iterations) / p.total) + "%", "running");
    });
    network.once("stabilizationIterationsDone", settle);
    network.once("stabilized", settle);
    window.setTimeout(settle, 20000);

    network.on("click", function (params) {
      if (params.nodes.length) {
        var node = nodes.get(params.nodes[0]);
        if (!node) return;
        if (node.more) { expandMore(node); return; }
        showNode(node);
        expand(node.id);
      } else if (params.edges.length) {
        var edge = edges.get(params.edges[0]);
        if (edge && !edge.moreEdge) showEdge(edge);
      }
    });
    network.on("doubleClick", function (params) {
      if (!params.nodes.length) return;
      var node = nodes.get(params.nodes[0]);
      if (node && node.url) window.location.assign(node.url);
      else if (node && !node.more) setStatus("This resource is not part of scrkg, so it has no page here.", "warning");
    });
    window.scrkgExplorer = { network: network, nodes: nodes, edges: edges };
  }

  /* ---------------------------------------------------------------- the side panel */

  function panel(title) {
    S.clear(details);
    details.appendChild(el("h2", { text: "Selection" }));
    details.appendChild(el("h3", { text: title }));
  }

  function showNode(node) {
    saveLink(node);
    panel(node.fullLabel || node.label);
    var info = groupInfo[node.group];
    details.appendChild(el("p", { className: "hint", text: info ? info.label : "" }));
    if (node.synthetic) details.appendChild(el("p", null, el("span", { className: "synthetic-tag", text: "synthetic record" })));
    details.appendChild(el("pre", { className: "summary", text: node.title }));
    if (node.url) details.appendChild(el("p", null, el("a", { href: node.url, text: "Open its page" })));
  }

  /* "Save as a page" (/network.html): the selected resource and its neighbours. */
  function saveLink(node) {
    var link = document.getElementById("save-page");
    if (!link || node.more) return;
    link.href = "/network.html?focus=" + encodeURIComponent(node.id);
    document.getElementById("save-what").textContent = "the selected resource and its neighbours";
    document.getElementById("save-block").hidden = false;
  }

  function showEdge(edge) {
    panel(edge.plainLabel || edge.title);
    var from = nodes.get(edge.from), to = nodes.get(edge.to);
    details.appendChild(el("p", { className: "edge-ends" },
      (from && from.fullLabel) || edge.from, " → ", edge.plainLabel || edge.property, " → ",
      (to && to.fullLabel) || edge.to));
    var box = el("div", { className: "quotes", text: "Looking for the quote…" });
    details.appendChild(box);
    getJson("/api/edge?s=" + encodeURIComponent(edge.from) + "&p=" + encodeURIComponent(edge.property) +
            "&o=" + encodeURIComponent(edge.to)).then(function (data) {
      S.clear(box);
      var quoted = data.statements.filter(function (s) { return s.quote; });
      quoted.forEach(function (s) {
        var source = s.source_url ? el("a", { href: s.source_url, text: s.source_label || s.source })
                                  : (s.source_label || s.source || "an unnamed source");
        box.appendChild(el("figure", { className: "quote" },
          el("blockquote", { text: s.quote }),
          el("figcaption", null, "From ", source)));
      });
      var graphs = data.graphs.map(function (g) {
        var name = g.title || g.graph;
        var label = g.url ? el("a", { href: g.url, text: name }) : el("span", { text: name });
        return el("li", null, label, g.synthetic ? el("span", { className: "synthetic-tag", text: " synthetic" }) : null);
      });
      if (!quoted.length) {
        box.appendChild(el("p", { className: "no-quote",
          text: "No quote recorded" + (graphs.length ? "; from source graph:" : ".") }));
      } else if (graphs.length) {
        box.appendChild(el("p", { className: "hint", text: "Held in source graph:" }));
      }
      if (graphs.length) box.appendChild(el("ul", null, ...graphs));
    }).catch(function () { box.textContent = "The quote could not be fetched."; });
  }

  /* ---------------------------------------------------------------- search */

  var searchForm = document.getElementById("search-form");
  var searchText = document.getElementById("search-text");
  var searchResults = document.getElementById("search-results");
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = searchText.value.trim();
    S.clear(searchResults);
    if (!q) return;
    getJson("/api/search?q=" + encodeURIComponent(q)).then(function (data) {
      if (!data.results.length) searchResults.appendChild(el("li", { className: "empty", text: "Nothing found." }));
      data.results.forEach(function (item) {
        var button = el("button", { type: "button", className: "link-button", text: item.label });
        button.addEventListener("click", function () { focusOn(item); });
        var info = groupInfo[item.group];
        searchResults.appendChild(el("li", null, button, el("span", { className: "hint", text: " " + (info ? info.label : "") })));
      });
    }).catch(quiet);
  });

  function focusOn(item) {
    if (!network) {
      nodes.add(nodeData(item));
      expand(item.iri).then(start);
      return;
    }
    if (!nodes.get(item.iri)) {
      var view = network.getViewPosition();
      var data = nodeData(item);
      data.x = view.x; data.y = view.y;
      nodes.add(data);
    }
    expand(item.iri).then(function () {
      network.selectNodes([item.iri]);
      network.focus(item.iri, { scale: 1, animation: false });
      showNode(nodes.get(item.iri));
    });
  }

  /* ---------------------------------------------------------------- start */

  function start() {
    if (nodes.length === 0) {
      setStatus(message || "Search for a resource or choose a saved view to start.", "warning");
      return;
    }
    makeNetwork();
    updateLegend();
  }

  bindFilter("filter-theme", "lesson-theme");
  bindFilter("filter-risk", "risk-factor");

  var st = page.start || { kind: "none" };
  if (st.kind === "focus") {
    expand(st.iri).then(start);
  } else if (st.kind === "view") {
    var url = "/api/view?view=" + encodeURIComponent(st.view) + (st.iri ? "&iri=" + encodeURIComponent(st.iri) : "");
    setStatus("Fetching the view…", "running");
    getJson(url).then(function (data) { loadView(data); start(); }).catch(function () {});
  } else if (st.kind === "query") {
    setStatus("Running the query…", "running");
    getJson("/api/view?query=" + encodeURIComponent(st.query))
      .then(function (data) { loadView(data); start(); })
      .catch(function () { /* getJson has shown the message */ });
  } else {
    start();
  }
})();
