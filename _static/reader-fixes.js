/* Small fixes to the book theme (sphinx-book-theme 1.3 on pydata-sphinx-theme 0.17) for readers.
 *
 * Jupyter Book includes every .js file in the book's _static/ folder on every page, in <head>,
 * before the theme's deferred scripts run. Each fix below answers a finding of the browser
 * suite (tests/browser/), which checks every page with axe-core and fails on console errors.
 *
 * 1. First visit: the theme writes localStorage "mode" || "" into <html data-mode>, then logs
 *    "Got invalid theme mode: ." as a console error. Start such readers on "auto" (what the
 *    theme falls back to anyway), so the first page a reader opens logs no error.
 * 2. axe "label-content-name-mismatch" (WCAG 2.5.3): the search buttons read "Search Ctrl+K" but
 *    are named just "Search"; drop the aria-label so the name is the visible text. The colour-mode
 *    button's icons carry titles ("Light", "Dark", ...) that are not in its name "Color mode":
 *    hide the decorative icons and drop their titles (the button's name stays "Color mode").
 * 3. axe "summary-name" (WCAG 4.1.2): the sidebar's expand/collapse toggles are <summary>
 *    elements holding only a chevron icon; name each after the section it opens.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  if (!root.dataset.mode) { root.dataset.mode = "auto"; }

  function fix() {
    document.querySelectorAll(".search-button__button[aria-label]").forEach(function (button) {
      if (button.textContent.trim()) { button.removeAttribute("aria-label"); }
    });
    document.querySelectorAll(".theme-switch-button > *").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("aria-labelledby");
      icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
    });
    document.querySelectorAll("nav summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.getAttribute("aria-label")) { return; }
      var link = summary.parentNode && summary.parentNode.parentNode &&
                 summary.parentNode.parentNode.querySelector(":scope > a");
      var title = link ? link.textContent.trim() : "this section";
      summary.setAttribute("aria-label", "Show or hide the pages of " + title);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fix();
    // Font Awesome swaps icon elements for SVGs after loading: treat its replacements too
    // (only in the header and sidebar, where the theme's controls live).
    var observer = new MutationObserver(fix);
    document.querySelectorAll(".bd-header, .bd-sidebar-primary, .bd-header-article").forEach(function (part) {
      observer.observe(part, { childList: true, subtree: true });
    });
  });
  window.addEventListener("load", fix);
})();
