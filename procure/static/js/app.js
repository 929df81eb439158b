// procure: small progressive enhancements. Pages work without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen-reader users hear what went wrong.
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
    // "Go back and correct it" after a refused form: the browser's own back keeps what the
    // user typed; the link's address (the form's page, reloaded) is the fallback.
    document.querySelectorAll("a[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1 && document.referrer) {
          event.preventDefault();
          window.history.back();
        }
      });
    });
    // A menu group closes when the user clicks elsewhere, moves the focus out of it (Tab) or
    // presses Escape.
    var groups = document.querySelectorAll("details.app-nav-menu");
    document.addEventListener("click", function (event) {
      groups.forEach(function (group) {
        if (group.open && !group.contains(event.target)) { group.open = false; }
      });
    });
    document.addEventListener("focusin", function (event) {
      groups.forEach(function (group) {
        if (group.open && !group.contains(event.target)) { group.open = false; }
      });
    });
    // A table wider than the screen scrolls in its frame; the frame takes the keyboard focus
    // (arrow keys scroll it) and is named after its table (WCAG 2.1.1, 1.4.10).
    function markScrollingTables() {
      document.querySelectorAll(".krds-table-wrap").forEach(function (wrap) {
        var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
        if (scrolls && !wrap.hasAttribute("tabindex")) {
          var caption = wrap.querySelector("caption");
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          if (caption) { wrap.setAttribute("aria-label", caption.textContent.trim()); }
          wrap.setAttribute("data-scrolls", "");
        } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
          ["tabindex", "role", "aria-label", "data-scrolls"].forEach(function (name) {
            wrap.removeAttribute(name);
          });
        }
      });
    }
    markScrollingTables();
    // "Print" buttons (the comparison of proposals, a proposal): the print stylesheet keeps
    // the content only.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    window.addEventListener("resize", markScrollingTables);
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      groups.forEach(function (group) {
        if (group.open) { group.open = false; group.querySelector("summary").focus(); }
      });
    });
    // Ask before irreversible actions marked with data-confirm.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    // A form is sent once: a double click (or an impatient second one) on a posting form
    // would otherwise create the idea, demand or proposal twice. The mark clears when the
    // page is shown again from the browser's history, and after a while in case no new page
    // comes (a download, a lost connection), so the user can always try again.
    document.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
        form.setAttribute("data-sending", "");
        form.setAttribute("aria-busy", "true");
        window.setTimeout(function () { release(form); }, 15000);
      });
    });
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-sending]").forEach(release);
    });
  });

  function release(form) {
    form.removeAttribute("data-sending");
    form.removeAttribute("aria-busy");
  }
})();
