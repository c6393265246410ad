// Documents (#17): the file's size and type are checked in the browser before a long upload over
// mobile data (the server checks again), and an upload form sends once however often its button
// is pressed. The messages come translated from the page (data-too-big, data-wrong-type).
// A form marked data-send-once sends once too: the review pages' "Skicka ansökan" and "Skriv
// under" start a BankID order, and a second order for the person while BankID answers the first
// makes BankID abort both (#19; tests/browser/test_bankid_signing_pages.py). A page the browser
// brings back with Back (bfcache) may send again.
(function () {
  "use strict";
  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }
  function accepted(input, file) {
    var accept = (input.getAttribute("accept") || "").split(",");
    if (!accept[0]) { return true; }
    return accept.some(function (item) {
      item = item.trim().toLowerCase();
      return item === (file.type || "").toLowerCase() || item === extensionOf(file.name);
    });
  }
  function say(input, text) {
    var id = input.id + "-browser-error";
    var shown = document.getElementById(id);
    if (!text) {
      if (shown) { shown.remove(); }
      input.removeAttribute("aria-invalid");
      input.setCustomValidity("");
      return;
    }
    if (!shown) {
      shown = document.createElement("p");
      shown.id = id;
      shown.className = "error-message";
      shown.setAttribute("role", "alert");
      input.parentNode.insertBefore(shown, input);
    }
    shown.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.setCustomValidity(text);
  }
  function check(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    if (!file) { say(input, ""); return true; }
    if (!isNaN(limit) && file.size > limit) { say(input, input.getAttribute("data-too-big")); return false; }
    if (!accepted(input, file)) { say(input, input.getAttribute("data-wrong-type")); return false; }
    say(input, "");
    return true;
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) { check(input); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.upload, form[data-send-once]")) { return; }
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i += 1) {
      if (!check(inputs[i])) { event.preventDefault(); inputs[i].focus(); return; }
    }
    if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); }
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    var sending = document.querySelectorAll("form[data-sending]");
    for (var i = 0; i < sending.length; i += 1) {
      sending[i].removeAttribute("data-sending");
      var button = sending[i].querySelector("button[type=submit]");
      if (button) { button.removeAttribute("aria-disabled"); }
    }
  });
})();
