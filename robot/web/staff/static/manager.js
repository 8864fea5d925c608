"use strict";
// The manager page: every queue, every counter, today's figures, the robots' health and the alerts in force.
(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  // Bars per hour (issued, done), drawn as SVG elements (never from received markup).
  const chart = (hours) => {
    const svg = $("chart");
    const top = Math.max(1, ...hours.map((h) => Math.max(h.issued, h.done)));
    const parts = [];
    const slot = 1200 / Math.max(10, hours.length);
    hours.forEach((h, i) => {
      for (const [k, value] of [["issued", h.issued], ["done", h.done]].entries()) {
        const bar = document.createElementNS(SVG, "rect");
        const height = 200 * value[1] / top;
        bar.setAttribute("x", String(i * slot + 10 + k * (slot - 20) / 2));
        bar.setAttribute("y", String(220 - height));
        bar.setAttribute("width", String((slot - 20) / 2 - 4));
        bar.setAttribute("height", String(height));
        bar.setAttribute("class", "bar " + value[0]);
        parts.push(bar);
        const count = document.createElementNS(SVG, "text");
        count.setAttribute("x", String(i * slot + 10 + k * (slot - 20) / 2 + (slot - 20) / 4 - 2));
        count.setAttribute("y", String(214 - height));
        count.setAttribute("class", "count");
        count.textContent = String(value[1]);
        parts.push(count);
      }
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", String(i * slot + slot / 2));
      label.setAttribute("y", "250");
      label.setAttribute("class", "hour");
      label.textContent = h.hour + " giờ";
      parts.push(label);
    });
    svg.replaceChildren(...parts);
  };
  // The alerts in force; a supervisor gets "Đã xử lý" on each (the staff command ack-alert to that robot).
  const canAck = document.body.dataset.canAck === "1";
  const alerts = (list) => {
    Letan.rows($("alerts"), list.map((a) => [a.since, a.robot, a.kind, {text: a.severity, cls: "bad"}]));
    if (!canAck) return;
    $("alerts").querySelectorAll("tr").forEach((tr, i) => {
      const a = list[i];
      const td = document.createElement("td");
      const button = document.createElement("button");
      button.className = "small ack";
      button.textContent = "Đã xử lý";
      button.dataset.robot = a.robot;
      button.dataset.kind = a.code;
      button.addEventListener("click", async () => {
        button.disabled = true;
        const reply = await Letan.post("/manager/ack", {robot: a.robot, kind: a.code});
        const li = document.createElement("li");
        li.className = reply.status === "accepted" ? "ok" : "refused";
        li.textContent = (reply.status === "accepted" ? "✔ " : "✘ ") + reply.message;
        $("ack-log").prepend(li);
        while ($("ack-log").children.length > 5) $("ack-log").lastChild.remove();
        button.disabled = false;
      });
      td.appendChild(button);
      tr.appendChild(td);
    });
  };
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
    alerts(d.alerts);
    Letan.rows($("figures"), d.figures.map((f) => [f.scope, f.name, f.tickets, f.served, f.no_shows, f.wait, f.service, f.ratings]));
    chart(d.hours || []);
    document.body.dataset.version = String(d.version);
  });
})();
