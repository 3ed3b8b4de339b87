// A form sent back with problems: move focus to the summary of them at its top, so that a
// keyboard or screen-reader user hears what to correct (and a phone shows it). A link in the
// summary moves focus to its field.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
