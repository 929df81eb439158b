/* Draw a Chart.js chart above each table marked data-chart="bar|doughnut".
   The table stays as the accessible source of the numbers; cells to plot carry data-value.
   data-chart-series="2,3" names the columns (0-based) to plot; the row header is the label. */
(function () {
  "use strict";
  function draw(table) {
    if (typeof window.Chart === "undefined") { return; }
    var kind = table.getAttribute("data-chart") || "bar";
    var series = (table.getAttribute("data-chart-series") || "1").split(",").map(Number);
    var heads = table.querySelectorAll("thead th");
    var rows = table.querySelectorAll("tbody tr");
    var labels = [];
    var datasets = series.map(function (col) {
      return { label: heads[col] ? heads[col].textContent.trim() : "", data: [] };
    });
    rows.forEach(function (row) {
      var cells = row.children;
      if (!cells.length || !cells[0].textContent.trim()) { return; }
      labels.push(cells[0].textContent.trim());
      series.forEach(function (col, i) {
        var cell = cells[col];
        var value = cell ? Number(cell.getAttribute("data-value")) : NaN;
        datasets[i].data.push(isNaN(value) ? 0 : value);
      });
    });
    if (!labels.length) { return; }
    var figure = document.createElement("figure");
    figure.className = "app-chart app-chart-" + kind;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    var caption = table.querySelector("caption");
    canvas.setAttribute("aria-label", caption ? caption.textContent.trim() : "chart");
    figure.appendChild(canvas);
    var wrap = table.closest(".krds-table-wrap") || table;
    wrap.parentNode.insertBefore(figure, wrap);
    // Counts get whole-number ticks (no "1.5 pilots"); the figure's CSS box sets the size.
    var whole = datasets.every(function (d) { return d.data.every(Number.isInteger); });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: datasets.length > 1 || kind !== "bar" } }
    };
    if (kind === "bar") {
      options.scales = { y: { beginAtZero: true, ticks: whole ? { precision: 0 } : {} } };
    }
    new window.Chart(canvas, { type: kind, data: { labels: labels, datasets: datasets }, options: options });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-chart]").forEach(draw);
  });
})();
