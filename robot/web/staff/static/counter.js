"use strict";
// A counter's console: big buttons sending the counter commands (as this counter's broker user), the current
// ticket with its timer, the waiting tickets of the counter's services, the robot's replies in Vietnamese.
(() => {
  const n = document.body.dataset.counter;
  const $ = (id) => document.getElementById(id);
  let current = null;
  let receivedAt = Date.now();

  const showLog = (log) => {
    $("log").replaceChildren(...log.map((entry) => {
      const li = document.createElement("li");
      li.className = entry.status === "accepted" ? "ok" : "refused";
      li.textContent = (entry.status === "accepted" ? "✔ " : "✘ ") + entry.message;
      return li;
    }));
  };
  const timer = () => {
    $("timer").textContent = current ? Letan.elapsed(current.age_s + (Date.now() - receivedAt) / 1000) : "";
  };
  setInterval(timer, 1000);

  Letan.connect("/ws/counter/" + n, (data) => {
    receivedAt = Date.now();
    current = data.current;
    $("current-ticket").textContent = current ? current.ticket : "—";
    $("current-status").textContent = current ? current.status_words : "Chưa gọi số";
    $("current-service").textContent = current ? "· " + current.service_name : "";
    timer();
    const select = $("transfer-service");
    if (select.options.length === 0) {
      for (const s of data.services) {
        const option = document.createElement("option");
        option.value = s.id;
        option.textContent = s.name;
        select.appendChild(option);
      }
    }
    $("waiting-count").textContent = String(data.waiting.length);
    Letan.rows($("waiting"), data.waiting.map((w) => [w.ticket, w.service,
      w.priority ? {text: "Ưu tiên", cls: "priority"} : "", w.age_s === null ? "—" : Letan.elapsed(w.age_s)]));
    showLog(data.log || []);
    parked(data.parked || []);
  });

  // The parked tickets of the counter's services, each with "Tiếp tục" (unpark that number: nothing to type).
  const parked = (list) => {
    $("parked-count").textContent = String(list.length);
    Letan.rows($("parked"), list.map((p) => [p.ticket, p.service, p.since.slice(11, 16)]));
    $("parked").querySelectorAll("tr").forEach((tr, i) => {
      const td = document.createElement("td");
      const button = document.createElement("button");
      button.className = "small";
      button.textContent = "Tiếp tục";
      button.dataset.action = "unpark";
      button.dataset.ticket = list[i].ticket;
      button.addEventListener("click", () => act(button));
      td.appendChild(button);
      tr.appendChild(td);
    });
  };

  const act = async (button) => {
    const action = button.dataset.action;
    const body = {action};
    if (button.dataset.ticket) body.ticket = button.dataset.ticket;
    else if (action === "call" || action === "unpark") body.ticket = $("call-ticket").value.trim().toUpperCase();
    if (action === "transfer") body.service = $("transfer-service").value;
    for (const b of document.querySelectorAll("button[data-action]")) b.disabled = true;
    try {
      const reply = await Letan.post("/counter/" + n + "/act", body);
      if (reply.status === "rejected" && !reply.request) {
        const li = document.createElement("li");
        li.className = "refused";
        li.textContent = "✘ " + reply.message;
        $("log").prepend(li);
      }
    } finally {
      for (const b of document.querySelectorAll("button[data-action]")) b.disabled = false;
    }
  };
  for (const button of document.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", () => act(button));
  }
})();
