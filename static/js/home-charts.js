// The dashboard's charts (templates/home.html): data from the chart-data JSON script, titles from
// this script element's data-* attributes (translated in the template).
(function () {
  var me = document.currentScript;
  if (!window.Chart) return;
  var titles = (me && me.dataset) || {};
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var palette = ["#1f5fa8", "#3d8bd9", "#6aa9e9", "#9cc7f2", "#c6def7", "#e0a43a", "#c0392b", "#7f8c8d"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  function bar(id, d, title, horizontal) {
    var el = document.getElementById(id);
    if (!el) return;
    new Chart(el, {type: "bar", data: {labels: d.labels, datasets: [{label: title, data: d.data, backgroundColor: palette[0]}]},
      options: {indexAxis: horizontal ? "y" : "x", plugins: {legend: {display: false}, title: {display: !!title, text: title}},
                scales: {x: {ticks: {precision: 0}}, y: {ticks: {precision: 0}}}}});
  }
  function doughnut(id, d, title) {
    var el = document.getElementById(id);
    if (!el) return;
    new Chart(el, {type: "doughnut", data: {labels: d.labels, datasets: [{data: d.data, backgroundColor: palette}]},
      options: {plugins: {legend: {position: "bottom", labels: {boxWidth: 12}}, title: {display: true, text: title}}}});
  }
  bar("chart-funnel", data.funnel, "", true);
  if (data.structure) {
    bar("chart-age", data.structure.age, titles.age || "", false);
    doughnut("chart-gender", data.structure.gender, titles.gender || "");
    doughnut("chart-education", data.structure.education, titles.education || "");
  }
})();
