// plotly.js with exactly the trace types ICC Tracker draws (tracker/charts: trace("kind", ...)),
// bundled by esbuild at install (`npm run build`, called by make). The full plotly.js is about
// four times larger; tests/unit/test_assets.py keeps this list and the charts' in step.
"use strict";

var Plotly = require("plotly.js/lib/core"); // scatter comes with the core

Plotly.register([
  require("plotly.js/lib/bar"),
  require("plotly.js/lib/box"),
  require("plotly.js/lib/heatmap"),
  require("plotly.js/lib/scattergeo"),
]);

module.exports = Plotly;
