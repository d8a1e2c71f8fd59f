// The contact-centre screen (reception/contact_screen.html), keyboard first. A static file: the
// Content-Security-Policy allows no inline script. What it does:
// - Alt+N new contact, Alt+T the caller's number, Alt+B add a need, Alt+R the summary,
//   Ctrl+Enter in the summary records the contact;
// - « Ajouter un besoin » clones the formset's empty row (<template id="need-template">);
// - choosing a person (a lookup result or an incoming call) fills the contact form's person;
// - the duration counts from the screen's opening until the operator edits it;
// - the incoming-call panel (polled by htmx every 2 s) takes the focus when a call pops;
// - a button with data-confirm asks before submitting (cancel a callback).
(function () {
  "use strict";

  var root = document.getElementById("contact-centre");
  var form = document.querySelector("[data-contact-form]");
  var openedAt = Date.now();

  function field(selector) {
    return form ? form.querySelector(selector) : null;
  }

  // ----- Needs: add a row without reload ---------------------------------------------------
  function addNeed() {
    var template = document.getElementById("need-template");
    var rows = document.getElementById("needs");
    var total = form && form.querySelector("input[name$='-TOTAL_FORMS']");
    if (!template || !rows || !total) {
      return;
    }
    var index = parseInt(total.value, 10);
    var max = parseInt((root && root.dataset.maxNeeds) || "10", 10);
    if (index >= max) {
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    var number = row.querySelector("[data-need-number]");
    if (number) {
      number.textContent = String(index + 1);
    }
    rows.appendChild(row);
    total.value = String(index + 1);
    var select = row.querySelector("select");
    if (select) {
      select.focus();
    }
  }

  // ----- The person concerned --------------------------------------------------------------
  function choosePerson(id, label, popId) {
    var input = field("[data-chosen-person]");
    if (!input) {
      return;
    }
    input.value = id;
    var box = document.getElementById("chosen-person");
    var provisional = document.getElementById("provisional");
    box.querySelector("[data-chosen-label]").textContent = label;
    box.hidden = false;
    provisional.hidden = true;
    if (popId) {
      setPop(popId);
    }
    var summary = field("textarea[name='summary']");
    if (summary) {
      summary.focus();
    }
  }

  function clearPerson() {
    var input = field("[data-chosen-person]");
    if (!input) {
      return;
    }
    input.value = "";
    document.getElementById("chosen-person").hidden = true;
    document.getElementById("provisional").hidden = false;
    var first = field("input[name='provisional_first_name']");
    if (first) {
      first.focus();
    }
  }

  function setPop(popId) {
    var pop = field("[data-pop-id]");
    if (pop) {
      pop.value = popId;
    }
    var channel = field("select[name='channel']");
    if (channel) {
      channel.value = "telephone";
    }
  }

  function unknownCaller(phone, popId) {
    clearPerson();
    setPop(popId);
    var provisional = field("[data-provisional-phone]");
    if (provisional) {
      provisional.value = phone;
    }
  }

  // ----- Duration: counted until edited ------------------------------------------------------
  var duration = field("[data-duration]");
  function showDuration() {
    if (!duration || duration.dataset.edited) {
      return;
    }
    var seconds = Math.round((Date.now() - openedAt) / 1000);
    var rest = seconds % 60;
    duration.value = Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }
  if (duration) {
    if (duration.value) {
      duration.dataset.edited = "1"; // a form shown again with the operator's value
    }
    duration.addEventListener("input", function () {
      duration.dataset.edited = "1";
    });
    window.setInterval(showDuration, 1000);
    showDuration();
  }
  if (form) {
    form.addEventListener("submit", showDuration);
  }

  // The number typed in the lookup is the provisional phone, until the operator changes it.
  var lookupPhone = document.querySelector("[data-lookup-phone]");
  if (lookupPhone) {
    lookupPhone.addEventListener("input", function () {
      var provisional = field("[data-provisional-phone]");
      if (provisional && !provisional.dataset.edited) {
        provisional.value = lookupPhone.value;
      }
    });
  }
  var provisionalPhone = field("[data-provisional-phone]");
  if (provisionalPhone) {
    provisionalPhone.addEventListener("input", function () {
      provisionalPhone.dataset.edited = "1";
    });
  }

  // ----- Clicks --------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-choose-person], [data-clear-person], [data-add-need], [data-unknown-caller], [data-confirm]");
    if (!target) {
      return;
    }
    if (target.hasAttribute("data-confirm")) {
      if (!window.confirm(target.dataset.confirm)) {
        event.preventDefault();
      }
      return;
    }
    event.preventDefault();
    if (target.hasAttribute("data-choose-person")) {
      choosePerson(target.dataset.choosePerson, target.dataset.personLabel, target.dataset.pop);
    } else if (target.hasAttribute("data-clear-person")) {
      clearPerson();
    } else if (target.hasAttribute("data-add-need")) {
      addNeed();
    } else if (target.hasAttribute("data-unknown-caller")) {
      unknownCaller(target.dataset.unknownCaller, target.dataset.pop);
    }
  });

  // ----- Keyboard ------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var code = event.code;
      var screenLink = document.querySelector("[data-screen-url]");
      if (code === "KeyN" && screenLink) {
        event.preventDefault();
        window.location.assign(screenLink.dataset.screenUrl);
      } else if (code === "KeyB" && form) {
        event.preventDefault();
        addNeed();
      } else if (code === "KeyT" && lookupPhone) {
        event.preventDefault();
        lookupPhone.focus();
        lookupPhone.select();
      } else if (code === "KeyR" && form) {
        event.preventDefault();
        var summary = field("textarea[name='summary']");
        if (summary) {
          summary.focus();
        }
      }
    } else if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && form && form.contains(event.target)) {
      event.preventDefault();
      showDuration();
      form.requestSubmit();
    }
  });

  // ----- An incoming call takes the focus ------------------------------------------------------
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "incoming-call") {
      var first = event.detail.target.querySelector("[data-choose-person], [data-unknown-caller]");
      if (first) {
        first.focus();
      }
    }
  });
})();
