/* scrkg: helpers shared by the site's pages. Everything from the data is put into the page as
   text (textContent, or properties such as href), never as HTML. */
(function () {
  "use strict";

  function pageData() {
    var node = document.getElementById("page-data");
    return node ? JSON.parse(node.textContent) : {};
  }

  /* The site path of the resource page for an IRI of ours, or null for any other IRI. */
  function resourceUrl(iri, links) {
    if (typeof iri !== "string") return null;
    for (var i = 0; i < (links || []).length; i++) {
      var prefix = links[i][0], path = links[i][1];
      if (iri.length > prefix.length && iri.indexOf(prefix) === 0) {
        return path + iri.slice(prefix.length).split("/").map(encodeSegment).join("/");
      }
    }
    return null;
  }

  /* Percent-encode one path segment as the server does ("%" becomes "%25"). */
  function encodeSegment(segment) {
    return encodeURIComponent(segment).replace(/%3A/g, ":").replace(/%40/g, "@");
  }

  /* el("a", {href: "/x", className: "c"}, "text", otherNode): children are text or nodes. */
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        if (key === "dataset") {
          Object.keys(props.dataset).forEach(function (k) { node.dataset[k] = props.dataset[k]; });
        } else if (key === "text") {
          node.textContent = props.text;
        } else {
          node[key] = props[key];
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /* Control characters (bidi overrides and the like) shown as [U+XXXX], as the server does. */
  var CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  function visible(text) {
    return String(text).replace(CONTROLS, function (c) {
      return "[U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "]";
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  window.scrkg = { pageData: pageData, resourceUrl: resourceUrl, el: el, clear: clear, visible: visible };
})();
