/* A form sent back with errors opens at its error summary: focus moves there, so a screen reader reads the
   problems first and a keyboard user starts from the links to the fields. (No inline code: CSP.) */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
