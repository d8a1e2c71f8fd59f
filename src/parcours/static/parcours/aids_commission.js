// Commission sessions: a submit button with data-confirm asks before submitting (recording the
// decisions of the whole agenda, taking an application off the agenda).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
