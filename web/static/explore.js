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
  var statusText = document.getElementById("status-text");
  var details = document.getElementById("details");
  var legendBox = document.getElementById("class-filter");
  var filterNote = document.getElementById("filter-note");
  var tableBody = document.querySelector("#network-table tbody");
  var tableMore = document.getElementById("network-table-more");
  var BIG = 300;          /* from this many nodes on: no edge labels, straight edges */
  var LINE_MAX = 28;      /* characters of one line of a node's label (two lines at most) */
  var CLASS_FROM = 150;   /* a view of this many nodes or more is drawn one node per class */
  var PAGE = 40;          /* members of a class shown each time its node is opened */
  var TABLE_ROWS = 300;   /* rows of the table alternative */

  var groupInfo = {};
  page.groups.forEach(function (g) { groupInfo[g.key] = g; });

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var hiddenGroups = new Set();
  var filters = { "lesson-theme": null, "risk-factor": null };
  var expanded = new Set();
  var network = null;
  var message = "";
  var focusId = null;           /* the node in focus: the one asked for, or the last selected */
  var classMode = false;        /* a large view: each class gathered into one node */
  var classOf = {};             /* member id -> the id of the class node it is gathered in */
  var opened = new Set();       /* members shown on their own (a class node opened, a neighbour) */

  /* ---------------------------------------------------------------- visibility and filters */

  /* Whether the filters keep a node (a class node: whether any of its members is kept). */
  function nodeVisible(node) {
    if (!node) return false;
    if (node.cls) return node.cls.count > 0;
    if (node.more) return nodeVisible(nodes.get(node.more.center));
    if (hiddenGroups.has(node.group)) return false;
    var keys = Object.keys(filters);
    for (var i = 0; i < keys.length; i++) {
      var keep = filters[keys[i]];
      if (keep && !keep.has(node.id)) return false;
    }
    return true;
  }
  /* Whether a node is drawn: kept by the filters and not gathered into a class node. */
  function drawn(node) {
    return !!node && !classOf[node.id] && nodeVisible(node);
  }
  var nodesView = new vis.DataView(nodes, { filter: drawn });
  var edgesView = new vis.DataView(edges, {
    filter: function (edge) { return drawn(nodes.get(edge.from)) && drawn(nodes.get(edge.to)); }
  });

  /* The resources (neither class nodes nor "+N more" nodes) the filters keep. */
  function keptResources() {
    return nodes.get({ filter: function (n) { return !n.cls && !n.more && nodeVisible(n); } });
  }

  /* After a filter changed: the class nodes gathered anew from what the filters keep, the labels
     made distinct among what is left, a note when the node in focus is hidden, and the view
     fitted to what is on screen. */
  function refreshFilters() {
    if (classMode) gather(); else { nodesView.refresh(); edgesView.refresh(); }
    relabel();
    updateLegend();
    updateStatus();
    updateFocusNote();
    if (network) network.fit({ animation: false });
  }

  function selectedText(id) {
    var select = document.getElementById(id);
    return select.options[select.selectedIndex].textContent.replace(/^(— )+/, "");
  }

  /* Why a node is not on screen: the filters that leave it out, in words. */
  function hiddenBy(node) {
    var why = [];
    if (hiddenGroups.has(node.group)) {
      why.push("of classes shown (" + ((groupInfo[node.group] || {}).label || node.group) + " is not ticked)");
    }
    if (filters["lesson-theme"] && !filters["lesson-theme"].has(node.id)) {
      why.push("lesson theme \u201c" + selectedText("filter-theme") + "\u201d");
    }
    if (filters["risk-factor"] && !filters["risk-factor"].has(node.id)) {
      why.push("risk factor \u201c" + selectedText("filter-risk") + "\u201d");
    }
    return why;
  }

  function updateFocusNote() {
    var node = focusId ? nodes.get(focusId) : null;
    var why = node && !node.more && !node.cls ? hiddenBy(node) : [];
    if (!why.length) {
      filterNote.hidden = true;
      filterNote.textContent = "";
      return;
    }
    filterNote.textContent = "The node in focus (" + String(node.label || node.id).replace(/\n/g, " ") +
      ") is hidden by the filter: " + why.join(" and ") + ".";
    filterNote.hidden = false;
  }

  /* ---------------------------------------------------------------- status and legend */

  function setStatus(text, kind) {
    statusText.textContent = text;
    statusBox.className = "status" + (kind ? " " + kind : "");
  }

  function updateStatus() {
    var all = nodes.get({ filter: function (n) { return !n.cls && !n.more; } }).length;
    var kept = keptResources().length, text;
    var classes = classList();
    if (classes.length) {
      var gathered = Object.keys(classOf).length;
      text = kept + " nodes: " + gathered + " in " + classes.length + " class nodes, " +
        (kept - gathered) + " on their own; " + edgesView.length + " lines";
    } else {
      text = nodesView.length + " nodes and " + edgesView.length + " links on screen";
    }
    if (kept < all) text += " (" + (all - kept) + " hidden by filters)";
    text += ".";
    if (message) text += " " + message;
    setStatus(text, "ok");
    statusBox.dataset.nodes = String(all);
    scheduleTable();
  }

  function updateLegend() {
    var counts = {};
    nodes.forEach(function (n) { if (!n.more && !n.cls) counts[n.group] = (counts[n.group] || 0) + 1; });
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

  /* ---------------------------------------------------------------- labels that tell apart */

  function squeezeEnd(text, max) {
    return text.length <= max ? text : text.slice(0, max - 1).replace(/\s+$/, "") + "…";
  }

  function squeezeStart(text, max) {
    return text.length <= max ? text : "…" + text.slice(text.length - max + 1).replace(/^\s+/, "");
  }

  /* A label on at most two lines of LINE_MAX characters: split at the space nearest the middle,
     the first line keeping its start and the second its end (where an id or a year sits). */
  function fitLabel(text) {
    text = String(text || "");
    if (text.length <= LINE_MAX) return text;
    var middle = text.length / 2, best = -1;
    for (var i = 0; i < text.length; i++) {
      if (text[i] === " " && (best < 0 || Math.abs(i - middle) < Math.abs(best - middle))) best = i;
    }
    if (best < 0) {
      var head = Math.floor(LINE_MAX / 3);
      return text.slice(0, head) + "…" + text.slice(text.length - (LINE_MAX - head - 1));
    }
    return squeezeEnd(text.slice(0, best), LINE_MAX) + "\n" + squeezeStart(text.slice(best + 1), LINE_MAX);
  }

  function words(text) { return String(text || "").split(/\s+/).filter(Boolean); }

  function bare(word) { return word.toLowerCase().replace(/[^a-z0-9]/g, ""); }

  /* Whether a word names the class (the group's words: "review" for Case review, "child"...). */
  function classWord(word, group) {
    var w = bare(word);
    if (w.length < 3) return false;
    return words(((groupInfo[group] || {}).label) || "").some(function (c) {
      c = bare(c);
      return c.length >= 3 && (w.indexOf(c) === 0 || c.indexOf(w) === 0);
    });
  }

  /* Labels for the nodes of one class on screen that tell them apart: the leading words they
     all share, when those name the class ("Serious case review", "Incident concerning
     child"), are dropped, and what is left is fitted to two lines. The full label stays in the
     hover box, the side panel and the table. */
  function distinctLabels(group, items) {
    var toks = items.map(function (n) { return words(n.fullLabel); });
    var lead = 0;
    if (toks.length >= 2) {
      var shortest = Math.min.apply(null, toks.map(function (t) { return t.length; }));
      while (lead < shortest - 1 && toks.every(function (t) { return t[lead] === toks[0][lead]; })) lead++;
    } else if (toks.length === 1) {
      for (var i = 0; i < Math.min(4, toks[0].length - 1); i++) if (classWord(toks[0][i], group)) lead = i + 1;
    }
    var shared = toks.length ? toks[0].slice(0, lead) : [];
    if (!shared.some(function (w) { return classWord(w, group); })) lead = 0;
    var out = {};
    items.forEach(function (n, k) {
      out[n.id] = fitLabel(lead ? toks[k].slice(lead).join(" ") : n.fullLabel);
    });
    return out;
  }

  /* Give every node on screen its distinct label (only the ones that changed are updated). */
  function relabel() {
    var byGroup = {};
    nodesView.forEach(function (n) {
      if (n.more || n.cls) return;
      (byGroup[n.group] = byGroup[n.group] || []).push(n);
    });
    var changed = [];
    Object.keys(byGroup).forEach(function (group) {
      var labels = distinctLabels(group, byGroup[group]);
      byGroup[group].forEach(function (n) {
        if (labels[n.id] !== n.label) changed.push({ id: n.id, label: labels[n.id] });
      });
    });
    if (changed.length) nodes.update(changed);
  }

  function nodeData(item) {
    var data = {
      id: item.iri,
      label: fitLabel(item.label),
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
          label: "+" + g.more + " more\n" + squeezeEnd(g.label, LINE_MAX),
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
    if (classMode) {
      /* The neighbours asked for are drawn on their own, out of their class nodes. */
      opened.add(center);
      groups.forEach(function (g) { g.items.forEach(function (item) { opened.add(item.iri); }); });
      newNodes.forEach(function (n) { opened.add(n.id); });
      gather();
    }
    relabel();
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
    classMode = nodes.length + newNodes.length >= CLASS_FROM;
    var big = !classMode && nodes.length + newNodes.length >= BIG;
    var newEdges = data.edges.map(function (e) {
      var d = edgeData(e.from, e.property, e.to, e.label);
      if (big || classMode) d.label = undefined;
      return d;
    });
    if (big) seedLayout(newNodes, newEdges);
    nodes.update(newNodes);
    edges.update(newEdges);
    if (classMode) gather();
    relabel();
    if (data.nodes.length === 0) {
      setStatus(message || "Nothing to show.", "warning");
    }
  }

  /* ---------------------------------------------------------------- classes gathered */

  function isClass(id) { var n = nodes.get(id); return !!(n && n.cls); }

  /* The class nodes, in the legend's order. */
  function classList() {
    var order = page.groups.map(function (g) { return g.key; });
    return nodes.get({ filter: function (n) { return !!n.cls; } }).sort(function (a, b) {
      return order.indexOf(a.cls.group) - order.indexOf(b.cls.group);
    });
  }

  function plural(count, one, many) { return count + " " + (count === 1 ? one : many); }

  function className(key) { return (groupInfo[key] || {}).label || key; }

  /* Where a new class node goes: on a circle, in the legend's order. */
  function classPlace(key) {
    var keys = page.groups.map(function (g) { return g.key; });
    var i = Math.max(keys.indexOf(key), 0), radius = 90 + 40 * keys.length;
    var angle = (2 * Math.PI * i) / keys.length - Math.PI / 2;
    return { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
  }

  function classNodeData(key, count, more) {
    var info = groupInfo[key] || { label: key, color: "#bdc3c7", shape: "dot" };
    var name = info.label;
    return {
      id: "class\n" + key, cls: { group: key, count: count, more: more }, group: key,
      shape: info.shape === "triangleDown" ? "triangle" : info.shape,
      size: Math.round(14 + 9 * Math.log10(count + 1)), borderWidth: 3,
      label: more ? "+" + count + " more\n" + name : name + "\n" + count,
      fullLabel: (more ? count + " more of the class " : count + " of the class ") + name,
      title: (more ? count + " more of the class " : count + " of the class ") + name +
        " in this view.\nDouble-click, or select and press Enter, to show " +
        Math.min(count, PAGE) + " of them.",
      font: { size: 14, color: "#1c2833", strokeWidth: 4, strokeColor: "#ffffff" }
    };
  }

  /* Gather the nodes the filters keep, class by class (those opened aside), into one class node
     with their count, and the links between them into one line per pair of ends with how many
     links it stands for. Reads every node and link once: the view is bounded by the server. */
  function gather() {
    var byGroup = {};
    nodes.forEach(function (n) {
      if (n.cls || n.more || opened.has(n.id) || !nodeVisible(n)) return;
      (byGroup[n.group] = byGroup[n.group] || []).push(n.id);
    });
    var openedIn = {};
    opened.forEach(function (id) { var n = nodes.get(id); if (n && nodeVisible(n)) openedIn[n.group] = true; });
    classOf = {};
    var wanted = {}, updates = [];
    Object.keys(byGroup).forEach(function (key) {
      var members = byGroup[key];
      if (members.length < 2 && !openedIn[key]) return;
      var data = classNodeData(key, members.length, !!openedIn[key]);
      members.forEach(function (m) { classOf[m] = data.id; });
      if (!nodes.get(data.id)) {
        var place = classPlace(key);
        data.x = place.x; data.y = place.y;
      }
      wanted[data.id] = true;
      updates.push(data);
    });
    var stale = classList().filter(function (n) { return !wanted[n.id]; }).map(function (n) { return n.id; });
    /* The lines between class nodes, and between a class node and a node drawn on its own. */
    var lines = {};
    edges.forEach(function (e) {
      if (e.agg || e.moreEdge) return;
      var a = classOf[e.from] || e.from, b = classOf[e.to] || e.to;
      if ((a === e.from && b === e.to) || a === b) return;
      if (!nodeVisible(nodes.get(e.from)) || !nodeVisible(nodes.get(e.to))) return;
      var key = a + "\n\n" + b, line = lines[key] || (lines[key] = { from: a, to: b, count: 0, kinds: {} });
      line.count++;
      var kind = e.plainLabel || e.property;
      line.kinds[kind] = (line.kinds[kind] || 0) + 1;
    });
    var oldLines = edges.getIds({ filter: function (e) { return !!e.agg; } });
    var newLines = Object.keys(lines).map(function (key) {
      var line = lines[key], kinds = Object.keys(line.kinds).sort(function (x, y) { return line.kinds[y] - line.kinds[x]; });
      return {
        id: "lines\n" + key, from: line.from, to: line.to, agg: line, smooth: false,
        label: String(line.count), width: Math.min(1 + Math.log2(line.count), 8),
        title: plural(line.count, "link", "links") + ": " + kinds.slice(0, 8).map(function (k) {
          return k + " (" + line.kinds[k] + ")";
        }).join(", ") + (kinds.length > 8 ? "…" : ""),
        font: { size: 11, color: "#1c2833", align: "middle", strokeWidth: 3 }
      };
    });
    edges.remove(oldLines);
    nodes.remove(stale);
    nodes.update(updates);
    edges.update(newLines);
    nodesView.refresh();
    edgesView.refresh();
  }

  /* Show the first PAGE members of a class node (by label) around where it is; the rest stay
     gathered in it, now a "+N more" node. */
  function openClass(id) {
    var node = nodes.get(id);
    if (!node || !node.cls) return;
    var at = network ? network.getPositions([id])[id] : null;
    at = at || { x: node.x || 0, y: node.y || 0 };
    var members = Object.keys(classOf).filter(function (m) { return classOf[m] === id; })
      .map(function (m) { return nodes.get(m); }).filter(Boolean);
    members.sort(function (a, b) {
      return (a.fullLabel || a.id).localeCompare(b.fullLabel || b.id) || (a.id < b.id ? -1 : 1);
    });
    var first = members.slice(0, PAGE), rest = members.length - first.length;
    /* The members go in a disc beside the class node, on the side away from the rest of the
       drawing, so that they do not land on the other nodes. */
    var middle = { x: 0, y: 0 }, count = 0;
    if (network) {
      var places = network.getPositions();
      Object.keys(places).forEach(function (k) { middle.x += places[k].x; middle.y += places[k].y; count++; });
      if (count) { middle.x /= count; middle.y /= count; }
    }
    var dx = at.x - middle.x, dy = at.y - middle.y, length = Math.sqrt(dx * dx + dy * dy);
    if (length < 1) { dx = 1; dy = 0; length = 1; }
    var disc = 80 + 38 * Math.sqrt(first.length);
    var centre = { x: at.x + (dx / length) * (disc + 60), y: at.y + (dy / length) * (disc + 60) };
    nodes.update(first.map(function (n, i) {
      var r = 38 * Math.sqrt(i + 0.5), a = i * 2.39996;
      return { id: n.id, x: centre.x + r * Math.cos(a), y: centre.y + r * Math.sin(a) };
    }));
    first.forEach(function (n) { opened.add(n.id); });
    gather();
    relabel();
    keepInView(first.map(function (n) { return n.id; }).concat(rest ? [id] : []));
    updateLegend();
    updateStatus();
    setStatus("Showing " + first.length + " of " + members.length + " " + className(node.cls.group) + " nodes" +
      (rest ? "; the other " + rest + " stay in the \u201c+" + rest + " more\u201d node." : "."), "ok");
    if (rest && network) {
      network.selectNodes([id]);
      showClass(id);
    }
  }

  /* ---------------------------------------------------------------- the network */

  function makeNetwork() {
    if (network) { network.destroy(); network = null; }
    container.dataset.ready = "false";
    var big = !classMode && nodes.length >= BIG;
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
      layout: { improvedLayout: !classMode && nodes.length < 100, randomSeed: 7 },
      physics: {
        enabled: true,
        solver: "barnesHut",
        barnesHut: { gravitationalConstant: big ? -2500 : (classMode ? -9000 : -4000),
                     centralGravity: big ? 0.05 : 0.3,
                     springLength: big ? 80 : (classMode ? 220 : 130), springConstant: 0.04, damping: 0.35,
                     avoidOverlap: big ? 0 : (classMode ? 0.6 : 0.2) },
        stabilization: { enabled: true, iterations: big ? 25 : 300, updateInterval: 5, fit: true },
        minVelocity: 1
      },
      interaction: {
        hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
        multiselect: false, navigationButtons: false,
        /* The page's own keys (below) on the one focusable box; vis-network's would need its
           inner box focused, which it does on hover and which scrolls the page under the
           pointer. */
        keyboard: { enabled: false }
      }
    };
    network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
    /* One place to focus, the page's box (its outline shows); a click focuses it too. */
    var inner = container.querySelector(".vis-network");
    if (inner) inner.removeAttribute("tabindex");
    var settled = false;
    var current = network;
    function settle() {
      if (settled || current !== network) return;
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
        choose(params.nodes[0]);
      } else if (params.edges.length) {
        var edge = edges.get(params.edges[0]);
        if (edge && edge.agg) showLines(edge);
        else if (edge && !edge.moreEdge) showEdge(edge);
      }
    });
    network.on("doubleClick", function (params) {
      if (!params.nodes.length) return;
      var id = params.nodes[0];
      if (isClass(id)) { openClass(id); return; }
      var node = nodes.get(id);
      if (node && node.url) window.location.assign(node.url);
      else if (node && !node.more) setStatus("This resource is not part of scrkg, so it has no page here.", "warning");
    });
    window.scrkgExplorer = {
      network: network, nodes: nodes, edges: edges, openClass: openClass,
      classes: function () {
        return classList().map(function (n) {
          return { id: n.id, group: n.cls.group, count: n.cls.count, more: n.cls.more };
        });
      }
    };
  }

  /* What a click (or Enter, or a table's button) on a node does: a class node is selected and
     described; a "+N more" node brings the next page; any other node is selected, described and
     expanded. */
  function choose(id) {
    if (isClass(id)) { showClass(id); return; }
    var node = nodes.get(id);
    if (!node) return;
    if (node.more) { expandMore(node); return; }
    focusId = node.id;
    updateFocusNote();
    showNode(node);
    expand(node.id);
  }

  /* Keys on the network's box: Enter acts on the selected node (opens a class node), the arrows
     move the view, + and - zoom, 0 fits everything in. */
  container.addEventListener("keydown", function (event) {
    if (!network || event.altKey || event.ctrlKey || event.metaKey) return;
    var selected = network.getSelectedNodes()[0];
    var step = 60 / network.getScale(), at = network.getViewPosition();
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (event.key === "Enter" && selected !== undefined) {
      if (isClass(selected)) openClass(selected); else choose(selected);
    } else if (moves[event.key]) {
      network.moveTo({ position: { x: at.x + moves[event.key][0], y: at.y + moves[event.key][1] }, animation: false });
    } else if (event.key === "+" || event.key === "=") {
      network.moveTo({ scale: network.getScale() * 1.25, animation: false });
    } else if (event.key === "-") {
      network.moveTo({ scale: network.getScale() / 1.25, animation: false });
    } else if (event.key === "0") {
      network.fit({ animation: false });
    } else {
      return;
    }
    event.preventDefault();
  });

  /* ---------------------------------------------------------------- the table alternative */

  var tablePending = false;
  function scheduleTable() {
    if (tablePending) return;
    tablePending = true;
    window.setTimeout(function () { tablePending = false; updateTable(); }, 50);
  }

  function tableButton(text, action) {
    var button = el("button", { type: "button", className: "link-button", text: text });
    button.addEventListener("click", action);
    return button;
  }

  /* The class nodes with their counts, then each node drawn on its own with its full label. */
  function updateTable() {
    S.clear(tableBody);
    var rows = 0, left = 0;
    classList().forEach(function (n) {
      var id = n.id, info = n.cls, name = className(info.group);
      tableBody.appendChild(el("tr", { className: "class-row", dataset: { node: id, group: info.group } },
        el("th", { scope: "row", text: (info.more ? "More of the class " : "The class ") + name }),
        el("td", { text: name }),
        el("td", { className: "num", text: String(info.count) }),
        el("td", null, tableButton("Show " + Math.min(info.count, PAGE) + " of them", function () {
          openClass(id);
        }))));
      rows++;
    });
    nodesView.forEach(function (n) {
      if (n.cls) return;
      if (rows >= TABLE_ROWS) { left++; return; }
      var info = groupInfo[n.group];
      var name = n.more ? el("span", { text: n.title }) :
        (n.url ? el("a", { href: n.url, text: n.fullLabel || n.id }) : el("span", { text: n.fullLabel || n.id }));
      tableBody.appendChild(el("tr", { dataset: { node: n.id } },
        el("th", { scope: "row" }, name),
        el("td", { text: n.more ? "" : (info ? info.label : "") }),
        el("td", { className: "num", text: "" }),
        el("td", null, tableButton(n.more ? "Show the next " + page.limit : "Select", function () {
          if (!n.more && network) { network.selectNodes([n.id]); network.focus(n.id, { animation: false }); }
          choose(n.id);
        }))));
      rows++;
    });
    tableMore.hidden = !left;
    tableMore.textContent = left ? left + " more nodes on screen are not listed: narrow the view with the filters." : "";
  }

  function showClass(id) {
    var node = nodes.get(id);
    if (!node || !node.cls) return;
    var info = node.cls, name = className(info.group);
    panel((info.more ? "More of the class " : "The class ") + name);
    details.appendChild(el("p", { text: plural(info.count, "node", "nodes") + " of this class in the view" +
      (info.more ? ", not shown yet." : ".") }));
    details.appendChild(el("p", null, tableButton("Show " + Math.min(info.count, PAGE) + " of them", function () {
      openClass(id);
    })));
  }

  /* A line standing for many links: its ends and the kinds of link, with counts. */
  function showLines(edge) {
    var line = edge.agg, from = nodes.get(edge.from), to = nodes.get(edge.to);
    panel(plural(line.count, "link", "links"));
    details.appendChild(el("p", { className: "edge-ends" },
      (from && from.fullLabel) || edge.from, " → ", (to && to.fullLabel) || edge.to));
    var list = el("ul");
    Object.keys(line.kinds).forEach(function (k) {
      list.appendChild(el("li", { text: k + ": " + line.kinds[k] }));
    });
    details.appendChild(list);
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
    getJson("/api/labels?q=" + encodeURIComponent(q)).then(function (data) {
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
    focusId = item.iri;
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
      updateFocusNote();
    });
  }

  /* ---------------------------------------------------------------- a query as a network */

  var queryForm = document.getElementById("query-form");
  var queryText = document.getElementById("query-text");

  /* Draw a query's network afresh (only on the reader's press, or for a link the site signed). */
  function runQuery(text) {
    if (network) { network.destroy(); network = null; }
    nodes.clear(); edges.clear(); expanded.clear(); opened.clear();
    classOf = {}; classMode = false; focusId = null; message = "";
    updateFocusNote();
    setStatus("Running the query…", "running");
    var held = document.getElementById("query-held");
    if (held) held.hidden = true;
    return getJson("/api/view?query=" + encodeURIComponent(text)).then(function (data) {
      loadView(data);
      var link = document.getElementById("save-page");
      if (link) {
        link.href = "/network.html?query=" + encodeURIComponent(text);
        document.getElementById("save-what").textContent = "the query's network";
        document.getElementById("save-block").hidden = false;
      }
      start();
    }).catch(quiet);
  }

  queryForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = queryText.value.trim();
    if (!text) { setStatus("Write a query first.", "warning"); return; }
    runQuery(text);
  });

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
    focusId = st.iri;
    expand(st.iri).then(start);
  } else if (st.kind === "view") {
    var url = "/api/view?view=" + encodeURIComponent(st.view) + (st.iri ? "&iri=" + encodeURIComponent(st.iri) : "");
    setStatus("Fetching the view…", "running");
    getJson(url).then(function (data) { loadView(data); start(); }).catch(function () {});
  } else if (st.kind === "query") {
    runQuery(st.query);  /* a link the site made for its own query */
  } else if (st.kind === "query-held") {
    setStatus("The query from the link has not been run: read it in the box, then press Show as network.");
  } else {
    start();
  }
})();
