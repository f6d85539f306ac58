/* Bar charts of the survey analysis page. Data from the json_script #analysis-chart-data; the tables beside
   the charts show the same figures, so the page reads without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("analysis-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var charts = [];
  JSON.parse(source.textContent).forEach(function (data) {
    var holder = document.querySelector('[data-chart="' + data.id + '"]');
    if (!holder || !data.labels.length) { return; }
    holder.style.height = Math.max(140, 32 * data.labels.length + 40) + "px";
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (value) { return value + data.unit; } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}" + data.unit } },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#0d6efd" },
                 label: { show: true, position: "right", formatter: "{c}" + data.unit } }]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
