// The idle-timeout warning (#9). Without JavaScript a CSS animation shows the banner after a fixed
// delay (static/css/app.css); here it follows the server's count, and every htmx request (which
// renews the session on the server) restarts it.
(function () {
  "use strict";
  var banner = document.getElementById("session-warning");
  if (!banner) { return; }
  var warnAfter = parseInt(banner.getAttribute("data-warn-after"), 10);
  if (isNaN(warnAfter)) { return; }
  var timer = null;
  banner.classList.add("session-warning-scripted");
  function schedule(seconds) {
    if (timer) { window.clearTimeout(timer); }
    banner.hidden = true;
    timer = window.setTimeout(function () { banner.hidden = false; }, seconds * 1000);
  }
  schedule(warnAfter);
  document.body.addEventListener("htmx:afterRequest", function () { schedule(warnAfter); });
})();
