"use strict";
// Shared by the staff pages: the WebSocket that brings the page's state (reconnecting by itself), tables filled
// with textContent only (nothing received is ever HTML), JSON posts, durations in Vietnamese.
const Letan = {
  connect(path, onData) {
    let delay = 500;
    const open = () => {
      const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
      ws.onmessage = (event) => {
        delay = 500;
        let data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        Letan.online(data.online !== false);
        onData(data);
      };
      ws.onclose = (event) => {
        Letan.online(false);
        if (event.code === 4401) { location.reload(); return; }  // the session ended: the login form
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 3000);
      };
    };
    open();
  },
  online(on) {
    document.getElementById("offline").hidden = on;
    document.body.dataset.online = on ? "1" : "0";
  },
  rows(tbody, rows) {
    tbody.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement("tr");
      for (const cell of cells) {
        const td = document.createElement("td");
        if (cell !== null && typeof cell === "object") {
          td.textContent = cell.text;
          if (cell.cls) td.className = cell.cls;
        } else {
          td.textContent = cell === null || cell === undefined ? "—" : String(cell);
        }
        tr.appendChild(td);
      }
      return tr;
    }));
  },
  minutes(value) {
    return value === null || value === undefined ? "—" : value + " phút";
  },
  elapsed(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const m = Math.floor(s / 60);
    return (m >= 60 ? Math.floor(m / 60) + " giờ " + (m % 60) + " phút" : m + ":" + String(s % 60).padStart(2, "0"));
  },
  async post(url, body) {
    const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                       body: JSON.stringify(body), credentials: "same-origin"});
    if (response.status === 401) { location.reload(); }
    try { return await response.json(); } catch (e) { return {status: "rejected", message: "Lỗi máy chủ."}; }
  },
};
