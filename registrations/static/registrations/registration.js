// Progressive enhancement of the delegate formset: add and remove delegates without a reload.
// Without JavaScript the form still works: the number of delegates is chosen on step one and
// each delegate has a "remove" checkbox.
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  var addButton = document.getElementById("add-delegate");
  var template = document.getElementById("delegate-empty-form");
  if (!form || !template) { return; }
  var total = form.querySelector("input[name='delegates-TOTAL_FORMS']");
  var container = document.getElementById("delegate-forms");

  function visibleForms() {
    return Array.prototype.filter.call(
      container.querySelectorAll("[data-delegate-form]"), function (el) { return !el.hidden; });
  }
  function renumber() {
    visibleForms().forEach(function (el, i) {
      var label = el.querySelector("[data-delegate-number]");
      if (label) { label.textContent = String(i + 1); }
    });
    if (addButton) { addButton.disabled = visibleForms().length >= Number(addButton.dataset.max); }
  }
  function enhance(fieldset) {
    var del = fieldset.querySelector("input[name$='-DELETE']");
    if (!del) { return; }
    var holder = del.closest(".remove");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary remove-delegate";
    button.textContent = form.dataset.removeLabel || (holder ? holder.textContent.trim() : "Remove");
    button.addEventListener("click", function () {
      if (visibleForms().length <= 1) { return; }
      del.checked = true;
      fieldset.hidden = true;
      renumber();
    });
    if (holder) { holder.hidden = true; holder.parentNode.appendChild(button); }
    if (del.checked) { fieldset.hidden = true; }
  }
  Array.prototype.forEach.call(container.querySelectorAll("[data-delegate-form]"), enhance);
  if (addButton) {
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = Number(total.value);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html.trim();
      var fieldset = wrapper.firstElementChild;
      // Copy the first delegate's type and organisation: delegations usually share them.
      var first = container.querySelector("[data-delegate-form]");
      ["registration_type", "organisation_name", "organisation_type", "city", "country"].forEach(function (name) {
        var source = first && first.querySelector("[name$='-" + name + "']");
        var target = fieldset.querySelector("[name$='-" + name + "']");
        if (source && target) { target.value = source.value; }
      });
      container.appendChild(fieldset);
      total.value = String(index + 1);
      enhance(fieldset);
      renumber();
      var focus = fieldset.querySelector("input[name$='-given_name']");
      if (focus) { focus.focus(); }
    });
  }
  renumber();
})();
