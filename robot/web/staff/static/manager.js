"use strict";
// The manager page: every queue, every counter, today's figures, the robots' health and the alerts in force.
(() => {
  const $ = (id) => document.getElementById(id);
  const yes = (on) => on ? {text: "Trực tuyến", cls: "ok"} : {text: "Mất kết nối", cls: "bad"};
  Letan.connect("/ws/manager", (d) => {
    $("t-issued").textContent = String(d.totals.issued);
    $("t-done").textContent = String(d.totals.done);
    $("t-noshow").textContent = String(d.totals.no_show);
    $("ratings").textContent = "Đánh giá: " + d.ratings.map((r) => r.name + " " + r.count).join(" · ");
    Letan.rows($("queues"), d.queues.map((q) => [q.name, q.waiting, Letan.minutes(q.wait_min), q.issued, q.done, q.no_show]));
    Letan.rows($("counters"), d.counters.map((c) => [c.counter, c.services, c.open ? c.status : "Đóng", c.current || c.last]));
    Letan.rows($("robots"), d.robots.map((r) => [r.robot, yes(r.online), r.mode, r.battery === null ? "—" : r.battery + "%",
      r.paper, r.printer, r.scanner, r.motors, r.water, r.candy]));
    Letan.rows($("alerts"), d.alerts.map((a) => [a.since, a.robot, a.kind, {text: a.severity, cls: "bad"}]));
    Letan.rows($("figures"), d.figures.map((f) => [f.scope, f.name, f.tickets, f.served, f.no_shows, f.wait, f.service, f.ratings]));
    document.body.dataset.version = String(d.version);
  });
})();
