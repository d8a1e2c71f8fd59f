// htmx requests carry the CSRF token, read from this script's data-csrf-token attribute
// (a static file: the Content-Security-Policy allows no inline script).
(function () {
  var token = document.currentScript.dataset.csrfToken;
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = token;
  });
})();
