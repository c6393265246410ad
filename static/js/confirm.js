// A confirmation after an action gets the focus (#18), so a screen reader says it and a keyboard
// user continues from it: the messages on a page reached by a redirect, and a confirmation that
// htmx swapped into the page. Without JavaScript the message is still first in <main>.
(function () {
  "use strict";
  function focusIn(root) {
    var target = root.querySelector ? root.querySelector("[data-confirmation]") : null;
    if (target) { target.focus(); }
  }
  focusIn(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { focusIn(event.target); });
})();
