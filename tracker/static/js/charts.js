// Draws every figure on the page from its JSON data block, each as it comes near the screen. No
// inline script: the figures travel as <script type="application/json"> elements built on the
// server.
(function () {
  "use strict";
  // Text broken onto lines of about `width` characters at its spaces; a word is never cut.
  function wrap(text, width) {
    var lines = [];
    text.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && lines[last].length + 1 + word.length <= width) { lines[last] += " " + word; }
      else { lines.push(word); }
    });
    return lines.join("<br>");
  }

  // The figure of one data block, with the page's language and, on a phone, a legend below and
  // fewer, smaller ticks.
  function drawOne(block) {
    var target = document.getElementById(block.dataset.chart);
    if (!target || target.dataset.drawing) { return; }
    target.dataset.drawing = "true";
    var figure = JSON.parse(block.textContent);
    var narrow = window.matchMedia("(max-width: 48rem)").matches;
    var config = {
      displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"],
      // plotly's own words and dates in the page's language (its locale is loaded for German);
      // map outlines come with the page (vendor/geo-assets.js), never from elsewhere.
      locale: document.documentElement.lang || "en",
      topojsonURL: "/static/vendor/"
    };
    if (narrow) {
      // On a phone the toolbar would cover the legend: leave it out, and put the legend below.
      config.displayModeBar = false;
      // The legend under the whole figure (measured from its container, so plotly makes
      // room for it below the axis titles), each long entry wrapped onto lines of its own.
      figure.layout.legend = Object.assign({}, figure.layout.legend || {},
        { orientation: "h", yref: "container", y: 0, yanchor: "bottom", x: 0 });
      figure.data.forEach(function (trace) {
        if (typeof trace.name === "string" && trace.name.length > 28) { trace.name = wrap(trace.name, 28); }
      });
      // Smaller tick labels; a few ticks on each horizontal axis of numbers or dates, and
      // named columns standing upright, so that labels never meet.
      Object.keys(figure.layout).forEach(function (key) {
        var axis = figure.layout[key];
        if (!/^[xy]axis\d*$/.test(key) || !axis) { return; }
        axis.tickfont = Object.assign({}, axis.tickfont || {}, { size: 10 });
        if (axis.title) {
          axis.title = Object.assign({}, axis.title, { font: Object.assign({}, axis.title.font || {}, { size: 11 }) });
        }
        if (key.charAt(0) !== "x") { return; }
        // A second panel side by side names its axis at the top, clear of the first's.
        if (key === "xaxis2" && axis.domain) { axis.side = "top"; }
        if (axis.ticktext) {
          axis.ticktext = axis.ticktext.map(function (text) { return text.replace(/<br>/g, " "); });
          axis.tickangle = -90;
        } else if (axis.type !== "category") {
          axis.nticks = Math.min(axis.nticks || 4, 4);
        }
      });
    }
    Plotly.newPlot(target, figure.data, figure.layout, config).then(function () {
      target.dataset.drawn = "true";
    });
  }

  // plotly.js (and its German words, and the map outlines where a page has a map) is fetched
  // only when a chart comes near the screen: a page whose first screen is text and tables runs
  // no chart code while it loads. The script tag names the files (templates/_partials).
  var own = document.currentScript;
  var loading = null;

  function load(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function plotly() {
    if (!loading) {
      loading = load(own.dataset.plotly).then(function () {
        var more = [own.dataset.locale, own.dataset.geo].filter(Boolean);
        return Promise.all(more.map(load));
      });
    }
    return loading;
  }

  function start() {
    var blocks = document.querySelectorAll("script[type='application/json'][data-chart]");
    var near = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        near.unobserve(entry.target);
        plotly().then(function () { drawOne(entry.target.block); });
      });
    }, { rootMargin: "300px 0px" }) : null;
    blocks.forEach(function (block) {
      var target = document.getElementById(block.dataset.chart);
      if (!target) { return; }
      if (near) {
        target.block = block;
        near.observe(target);
      } else {
        plotly().then(function () { drawOne(block); });
      }
    });
    // Printed, every chart is drawn, each the paper's width.
    window.addEventListener("beforeprint", function () {
      if (!window.Plotly) { return; }
      blocks.forEach(drawOne);
      document.querySelectorAll(".chart[data-drawn]").forEach(function (el) { Plotly.Plots.resize(el); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
