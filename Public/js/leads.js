// 智媒 Zhimei — Leads: "convert into topic" posts to the Planning module's API, then opens the topic.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";
  Array.prototype.forEach.call(document.querySelectorAll("[data-convert-lead]"), function (btn) {
    btn.addEventListener("click", function () {
      var box = btn.parentNode.querySelector(".form-error");
      btn.setAttribute("aria-busy", "true");
      fetch("/api/v1/topics", {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ lead_id: btn.dataset.convertLead, title: btn.dataset.title })
      }).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          btn.removeAttribute("aria-busy");
          if (!res.ok) {
            var e = data && data.error;
            throw new Error(e ? (lang === "en" ? e.message_en : e.message) : ("HTTP " + res.status));
          }
          window.location.href = data.id ? "/planning/topics/" + encodeURIComponent(data.id) : "/planning";
        });
      }).catch(function (err) {
        btn.removeAttribute("aria-busy");
        if (box) { box.hidden = false; box.textContent = err.message; }
      });
    });
  });
})();
