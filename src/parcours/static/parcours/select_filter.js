// A search field marked data-filters-select="<id of a select>" hides the options (and the
// option groups) of that select that do not contain every word typed, accents ignored: a long
// select grouped by organisation stays usable from the keyboard. A static file, as the
// Content-Security-Policy allows no inline script.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function filter(input) {
    var select = document.getElementById(input.getAttribute("data-filters-select"));
    if (!select) {
      return;
    }
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var groups = select.querySelectorAll("optgroup");
    groups.forEach(function (group) {
      var groupText = fold(group.label);
      var shown = 0;
      group.querySelectorAll("option").forEach(function (option) {
        var text = groupText + " " + fold(option.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        option.disabled = !match;
        if (match) {
          shown += 1;
        }
      });
      group.hidden = shown === 0;
    });
    var visible = select.querySelectorAll("optgroup option:not([hidden])");
    if (visible.length === 1 && select.value !== visible[0].value) {
      select.value = visible[0].value;
    }
  }
  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-filters-select]");
    if (input) {
      filter(input);
    }
  });
})();
