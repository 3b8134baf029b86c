/* Speakers picker: turns each <select multiple data-speaker-picker> into a search-as-you-type
   field over the congress's speaker search (JSON), showing organisation and country so that
   namesakes can be told apart. Without JavaScript the plain multi-select stays and works.
   The select stays in the form (hidden): choosing a speaker selects its option. */
(function () {
  "use strict";
  var counter = 0;

  function text(tag, value, className) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    el.textContent = value;
    return el;
  }

  function labelOf(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.replace(/:\s*$/, "") : "";
  }

  function enhance(select) {
    var url = select.getAttribute("data-search-url");
    if (!url || !window.fetch) { return; }
    counter += 1;
    var base = "speaker-picker-" + counter;
    var wrap = document.createElement("div");
    wrap.className = "speaker-picker";
    var chips = document.createElement("ul");
    chips.className = "speaker-picker-chips";
    chips.setAttribute("aria-label", labelOf(select));
    var input = document.createElement("input");
    input.type = "search";
    input.id = base + "-input";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-list");
    input.setAttribute("aria-label", labelOf(select) + " – " + (select.getAttribute("data-search-label") || "search by name or organisation"));
    var list = document.createElement("ul");
    list.id = base + "-list";
    list.className = "speaker-picker-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    wrap.appendChild(chips);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(live);
    select.parentNode.insertBefore(wrap, select.nextSibling);
    select.hidden = true;
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label) { label.setAttribute("for", input.id); }

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function renderChips() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected) { return; }
        var chip = text("li", "", "speaker-picker-chip");
        chip.appendChild(text("span", option.textContent));
        chip.lastChild.setAttribute("dir", "auto");
        var remove = text("button", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", (select.getAttribute("data-remove-label") || "Remove") + " " + option.textContent);
        remove.addEventListener("click", function () {
          option.selected = false;
          live.textContent = option.textContent + " –";
          renderChips();
          input.focus();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(result) {
      var option = null;
      Array.prototype.forEach.call(select.options, function (candidate) {
        if (candidate.value === String(result.id)) { option = candidate; }
      });
      if (!option) {
        option = new Option(result.label, String(result.id));
        select.appendChild(option);
      }
      option.selected = true;
      live.textContent = result.label + " +";
      input.value = "";
      close();
      renderChips();
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      Array.prototype.forEach.call(items, function (item, n) {
        item.setAttribute("aria-selected", n === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
      }
    }

    function render() {
      list.textContent = "";
      results.forEach(function (result, n) {
        var item = document.createElement("li");
        item.id = base + "-option-" + n;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var name = text("span", result.name, "speaker-picker-name");
        name.setAttribute("dir", "auto");
        item.appendChild(name);
        var extra = [result.organisation, result.country_name].filter(Boolean).join(", ");
        if (extra) { item.appendChild(text("span", " — " + extra, "muted")); }
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(result); });
        list.appendChild(item);
      });
      if (!results.length) {
        list.appendChild(text("li", select.getAttribute("data-none-label") || "No speaker matches.", "muted"));
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      live.textContent = results.length + "";
    }

    function search() {
      var query = input.value.trim();
      if (!query) { close(); return; }
      asked += 1;
      var mine = asked;
      fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== asked) { return; }
          results = data.results || [];
          render();
        })
        .catch(function () { results = []; });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 180);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && results.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp" && results.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(results[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    renderChips();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-speaker-picker]"), enhance);
  });
}());
