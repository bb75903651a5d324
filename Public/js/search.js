// 资料检索: re-run the search when a sort or date filter changes (the form works without this too).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name !== "q") form.submit();
  });
})();
