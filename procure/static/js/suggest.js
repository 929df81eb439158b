// procure: suggestions while typing in the search box (progressive enhancement; no inline script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-suggest-url]");
    if (!input) { return; }
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) { return; }
    var url = input.getAttribute("data-suggest-url");
    var timer = null;
    var controller = null;
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    // Options are text, not links: the focus stays in the box (arrow keys move through the
    // options with aria-activedescendant, Enter or a click opens one), so Tab leaves the
    // combobox for the next field and nothing focusable sits inside an option (WCAG 4.1.2).
    function show(items) {
      list.textContent = "";
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = "search-suggestion-" + index;
        li.setAttribute("role", "option");
        li.textContent = item.text;  // text only: never HTML from the server
        li.setAttribute("data-href", item.url || ("?q=" + encodeURIComponent(item.text)));
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
    }

    function open(option) {
      if (option && option.getAttribute("data-href")) {
        window.location.href = option.getAttribute("data-href");
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(q), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        signal: controller.signal
      }).then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      }).then(function (data) {
        show(data.suggestions || []);
      }).catch(function () { /* aborted or offline: keep the plain search box */ });
    }

    function move(step) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      if (active >= 0) { options[active].removeAttribute("aria-selected"); }
      active = (active + step + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        var options = list.querySelectorAll("[role=option]");
        if (options[active]) { event.preventDefault(); open(options[active]); }
      }
    });
    // mousedown, not click: it comes before the box loses the focus and closes the list.
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); open(option); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 200); });
  });
})();
