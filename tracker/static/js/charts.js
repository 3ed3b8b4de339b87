// Draws every figure on the page from its JSON data block. No inline script: the figures
// travel as <script type="application/json"> elements built on the server.
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

  function draw() {
    document.querySelectorAll("script[type='application/json'][data-chart]").forEach(function (block) {
      var target = document.getElementById(block.dataset.chart);
      if (!target || target.dataset.drawn) { return; }
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
    });
  }
  // Printed, each chart takes the paper's width.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".chart[data-drawn]").forEach(function (el) { Plotly.Plots.resize(el); });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
