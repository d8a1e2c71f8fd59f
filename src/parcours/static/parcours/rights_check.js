// « Accès aux droits »: the partner's questions show only for a couple. Every field stays in the
// page (and is ignored by the server when « Vit en couple » is unchecked): without JavaScript,
// all of them show. A static file, as the Content-Security-Policy allows no inline script.
(function () {
  var toggle = document.querySelector("[data-couple]");
  if (!toggle) {
    return;
  }
  function sync() {
    document.querySelectorAll("[data-partner]").forEach(function (element) {
      element.hidden = !toggle.checked;
    });
  }
  toggle.addEventListener("change", sync);
  sync();
})();
