// Puente validator page: severity filter (the page works without this script; it only hides groups).
(function () {
  "use strict";
  var filter = document.getElementById("filter");
  if (!filter) { return; }
  function apply() {
    var shown = {};
    filter.querySelectorAll("input[name=show]").forEach(function (box) { shown[box.value] = box.checked; });
    document.querySelectorAll("[data-severity]").forEach(function (el) {
      el.hidden = !shown[el.getAttribute("data-severity")];
    });
  }
  filter.addEventListener("change", apply);
  apply();
})();
