// A field marked data-autosubmit submits its form when it changes (the site and "my persons"
// filters). A static file, as the Content-Security-Policy allows no inline event handler.
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
