/* Search snippets from the page's body (Jupyter Book adds every .js file in _static/ to every page).
 *
 * Sphinx's search shows, under each result, the text around the words found, taken from the
 * element [role=main]. In the book theme that element also holds the page's header buttons and
 * its table of contents, so snippets showed sidebar text. Take them from the article alone,
 * without the widgets' precomputed frames and the launch buttons.
 */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof Search === "undefined" || !Search.htmlToText) { return; }
  var sphinxText = Search.htmlToText;
  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    var article = doc.querySelector("article.bd-article");
    if (!article) { return sphinxText(htmlString, anchor); }
    article.querySelectorAll(".headerlink, script, style, .explore-controls, .explore-note, .anim-controls")
      .forEach(function (el) { el.remove(); });
    var part = anchor ? article.querySelector(anchor) : null;
    return (part || article).textContent.replace(/\s+/g, " ");
  };
});
