// Draws every figure on the page from its JSON data block. No inline script: the figures
// travel as <script type="application/json"> elements built on the server.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("script[type='application/json'][data-chart]").forEach(function (block) {
      var target = document.getElementById(block.dataset.chart);
      if (!target || target.dataset.drawn) { return; }
      var figure = JSON.parse(block.textContent);
      var narrow = window.matchMedia("(max-width: 48rem)").matches;
      var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
      if (narrow) {
        // On a phone the toolbar would cover the legend: leave it out, and put the legend below.
        config.displayModeBar = false;
        figure.layout.legend = Object.assign({}, figure.layout.legend || {}, { orientation: "h", y: -0.25 });
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
