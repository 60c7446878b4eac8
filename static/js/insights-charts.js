/* Draws the dashboard's charts from <script id="insight-data" type="application/json"> with the
   vendored Chart.js. The tables beside each chart hold the same figures (readable without JS). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = document.getElementById("insight-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var w = data.words;
    var BAR = "#2f6fab", LINE = "#d9822b", MET = "#3c8d5a", LATE = "#c0392b";
    var PALETTE = ["#2f6fab", "#d9822b", "#3c8d5a", "#8e44ad", "#7f8c8d", "#c0392b"];
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;

    function canvas(id) { return document.getElementById("chart-" + id); }

    data.paretos.forEach(function (p) {
      var el = canvas(p.id);
      if (!el || !p.counts.length) { if (el) { el.parentNode.hidden = true; } return; }
      new Chart(el, {
        data: {
          labels: p.labels,
          datasets: [
            { type: "bar", label: w.cases, data: p.counts, backgroundColor: BAR, yAxisID: "y", order: 2 },
            { type: "line", label: w.share, data: p.shares, borderColor: LINE, backgroundColor: LINE,
              yAxisID: "share", order: 1, pointRadius: 3 }
          ]
        },
        options: {
          // Room above the plot: the 100% point of the cumulative line and the tallest bar were cut.
          layout: { padding: { top: 8 } },
          plugins: { legend: { position: "bottom" } },
          scales: {
            y: { beginAtZero: true, grace: "5%", ticks: { precision: 0 } },
            share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                     ticks: { callback: function (v) { return v + "%"; } } }
          }
        }
      });
    });

    var t = data.trend, te = canvas(t.id);
    if (te && t.months.length) {
      new Chart(te, {
        type: "bar",
        data: { labels: t.months, datasets: t.series.map(function (s, i) {
          return { label: s.label, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length] };
        }) },
        options: { plugins: { legend: { position: "bottom" } },
                   scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
      });
    } else if (te) { te.parentNode.hidden = true; }

    var c = data.clocks, ce = canvas(c.id);
    if (ce) {
      new Chart(ce, {
        type: "bar",
        data: { labels: c.labels, datasets: [
          { label: w.met, data: c.met, backgroundColor: MET },
          { label: w.breached, data: c.breached, backgroundColor: LATE }
        ] },
        options: { indexAxis: "y", plugins: { legend: { position: "bottom" } },
                   scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }
      });
    }
  });
})();
