// Live skip logic on the fill page. HTMX posts the form on every change and swaps in the questions as the
// server rendered them from the values sent; anything typed while that request was on its way is copied back
// after the swap (and, if it differs, previewed again), so a fast respondent never loses an answer.
(function () {
  "use strict";
  function isChoice(input) { return input.type === "radio" || input.type === "checkbox"; }

  function snapshot(root) {
    const values = {};
    root.querySelectorAll("input[name]").forEach(function (input) {
      if (isChoice(input)) {
        values[input.name] = values[input.name] || [];
        if (input.checked) { values[input.name].push(input.value); }
      } else if (input.type !== "hidden") {
        values[input.name] = input.value;
      }
    });
    return values;
  }

  let typed = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    // Only for previews sent by the form itself: after adding or removing a repeat instance the server's
    // numbering is the truth.
    typed = target && target.id === "questions" && source && source.tagName === "FORM" ? snapshot(target) : null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail.target;
    if (!typed || target.id !== "questions") { return; }
    let differs = false;
    target.querySelectorAll("input[name]").forEach(function (input) {
      if (!(input.name in typed)) { return; }
      if (isChoice(input)) {
        const checked = typed[input.name].indexOf(input.value) !== -1;
        differs = differs || checked !== input.checked;
        input.checked = checked;
      } else if (input.type !== "hidden") {
        differs = differs || input.value !== typed[input.name];
        input.value = typed[input.name];
      }
    });
    typed = null;
    if (differs) { htmx.trigger(target.closest("form"), "change"); }
  });
})();
