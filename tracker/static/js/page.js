// What every page does for itself, loaded in <head> so the page is marked as scripted before it
// is drawn: the header's menu on a phone (the sections, the account and the language behind one
// button that says whether it is open; without scripts it stays open), and a table that
// scrolls in its box takes the keyboard's focus, so it can be scrolled without a mouse.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function wireMenu() {
    var button = document.querySelector(".menu-button");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) { return; }
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  }

  function focusableTables() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }

  function start() {
    wireMenu();
    focusableTables();
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.cancelAnimationFrame(pending); }
      pending = window.requestAnimationFrame(focusableTables);
    });
    // A table unfolded from its summary may overflow only once it shows.
    document.addEventListener("toggle", focusableTables, true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
