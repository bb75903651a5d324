// 智媒 Zhimei — the bell in the top bar: fills in the unread-notification count and refreshes it every minute.
(function () {
  "use strict";
  var bell = document.querySelector("[data-notifications]");
  if (!bell) return;
  var badge = bell.querySelector("[data-unread]");
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";
  function refresh() {
    fetch("/api/v1/notifications/unread-count", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data || typeof data.count !== "number" || !badge) return;
        badge.textContent = data.count > 99 ? "99+" : String(data.count);
        badge.hidden = data.count === 0;
        bell.setAttribute("aria-label", (lang === "en" ? "Notifications, unread: " : "通知，未读：") + data.count);
      })
      .catch(function () {});
  }
  refresh();
  setInterval(refresh, 60000);
})();
