/* For developers: the guide's examples as tabs (GOV.UK's tabs pattern: without this script they are
   sections one after another, with a list of links to them), and the API reference drawn by Redoc
   from the service's OpenAPI document. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function tabs(box) {
    var links = Array.prototype.slice.call(box.querySelectorAll(".dev-tabs-tab"));
    var panels = links.map(function (link) { return document.getElementById(link.getAttribute("href").slice(1)); });
    var list = box.querySelector(".dev-tabs-list");
    list.setAttribute("role", "tablist");
    box.classList.add("dev-tabs-enhanced");

    function select(index, focus) {
      links.forEach(function (link, i) {
        var selected = i === index;
        link.setAttribute("aria-selected", selected ? "true" : "false");
        link.setAttribute("tabindex", selected ? "0" : "-1");
        link.parentNode.classList.toggle("dev-tabs-item-selected", selected);
        panels[i].hidden = !selected;
      });
      if (focus) { links[index].focus(); }
    }

    links.forEach(function (link, i) {
      link.parentNode.setAttribute("role", "presentation");
      link.setAttribute("role", "tab");
      link.id = "tab-" + panels[i].id;
      link.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", link.id);
      link.addEventListener("click", function (event) { event.preventDefault(); select(i, false); });
      link.addEventListener("keydown", function (event) {
        var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: links.length - 1 }[event.key];
        if (next === undefined) { return; }
        event.preventDefault();
        select((next + links.length) % links.length, true);
      });
    });
    var wanted = panels.findIndex(function (panel) { return "#" + panel.id === window.location.hash; });
    select(wanted >= 0 ? wanted : 0, false);
  }

  // Redoc's colours and fonts: the portal's own, with WCAG AA contrast on white and on its dark panel.
  var THEME = {
    colors: {
      primary: { main: "#1d4f91" },
      success: { main: "#00703c" },
      warning: { main: "#6b4e00" },
      error: { main: "#b3261e" },
      text: { primary: "#0b0c0c", secondary: "#484949" },
      http: { get: "#00703c", post: "#1d4f91", put: "#6b4e00", options: "#484949", patch: "#594d00",
              "delete": "#b3261e", basic: "#484949", link: "#1d4f91", head: "#484949" },
      responses: {
        success: { color: "#005a30", backgroundColor: "#e8f3ec", tabTextColor: "#7ee2a8" },
        error: { color: "#8a1b12", backgroundColor: "#fdeeee", tabTextColor: "#ffb4ab" },
        redirect: { color: "#594d00", backgroundColor: "#fff7d6", tabTextColor: "#ffd866" },
        info: { color: "#0c2d4a", backgroundColor: "#eef4fa", tabTextColor: "#a8cdf0" }
      }
    },
    typography: {
      fontFamily: 'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif',
      fontSize: "16px",
      headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif', fontWeight: "700" },
      code: { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', color: "#8a1b12",
              backgroundColor: "#f3f2f1" },
      links: { color: "#1d4f91", visited: "#4c2c92", hover: "#003078" }
    },
    sidebar: { backgroundColor: "#f3f2f1", textColor: "#0b0c0c", activeTextColor: "#1d4f91" },
    rightPanel: { backgroundColor: "#0b3d66", textColor: "#ffffff" },
    codeBlock: { backgroundColor: "#0b0c0c" }
  };

  function reference(box) {
    var failed = box.querySelector("[data-redoc-failed]");
    var status = box.querySelector("[data-redoc-status]");
    if (!window.Redoc) {
      if (status) { status.hidden = true; }
      failed.hidden = false;
      return;
    }
    var fallback = failed.cloneNode(true);
    window.Redoc.init(box.getAttribute("data-spec-url"), {
      theme: THEME,
      nativeScrollbars: true,
      hideDownloadButton: false,
      expandResponses: "200,201,202",
      pathInMiddlePanel: true,
      sortPropsAlphabetically: false,
      requiredPropsFirst: true,
      jsonSampleExpandLevel: 2,
      scrollYOffset: 0
    }, box, function (error) {
      if (error) {
        box.textContent = "";
        fallback.hidden = false;
        box.appendChild(fallback);
      }
    });
  }

  // Redoc's bundle is large: it is fetched only when the person asks for it (the button, shown only
  // where this script runs).
  function offerRedoc(button) {
    var box = document.getElementById(button.getAttribute("aria-controls"));
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      var status = box.querySelector("[data-redoc-status]");
      status.hidden = false;
      var script = document.createElement("script");
      script.src = button.getAttribute("data-src");
      script.onload = function () { button.hidden = true; reference(box); };
      script.onerror = function () { button.disabled = false; reference(box); };
      document.body.appendChild(script);
    });
  }

  ready(function () {
    document.querySelectorAll("[data-tabs]").forEach(tabs);
    document.querySelectorAll("[data-redoc-load]").forEach(offerRedoc);
  });
}());
