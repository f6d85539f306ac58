/* Budget against spending by line (public project page). Data from the json_script #budget-chart-data. */
(function () {
  "use strict";
  var holder = document.getElementById("budget-chart");
  var source = document.getElementById("budget-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.categories.length) { holder.remove(); return; }
  holder.style.height = Math.max(180, 56 * data.categories.length + 80) + "px";
  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.categories, inverse: true,
             axisLabel: { width: 90, overflow: "truncate" } },
    series: [
      { name: holder.dataset.spentLabel, type: "bar", stack: "budget", data: data.spent,
        itemStyle: { color: "#0d6efd" } },
      { name: holder.dataset.remainingLabel, type: "bar", stack: "budget", data: data.remaining,
        itemStyle: { color: "#adb5bd" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
