"use strict";
// The calling board: the newest call large, the last ones below, waiting per service, the clock; each new call
// is played once (chime and voice, rendered by the server), one after another, never two at once.
(() => {
  const point = document.body.dataset.point;
  const $ = (id) => document.getElementById(id);
  const pending = [];
  let lastSeq = null;
  let boot = null;
  let playing = false;
  window.letanPlayed = [];  // the calls played to the end, in order (what the tests read)

  const tick = () => {
    const d = new Date();
    const two = (x) => String(x).padStart(2, "0");
    $("clock").textContent = two(d.getHours()) + ":" + two(d.getMinutes()) + "  " + two(d.getDate()) + "/" +
      two(d.getMonth() + 1);
  };
  tick();
  setInterval(tick, 1000);

  const pump = () => {
    if (playing || pending.length === 0) return;
    const call = pending.shift();
    playing = true;
    document.body.dataset.playing = call.ticket + "@" + call.counter;
    const audio = new Audio("/audio/call/" + encodeURIComponent(call.ticket) + "/" + call.counter + ".wav");
    const next = () => { playing = false; delete document.body.dataset.playing; pump(); };
    audio.onended = () => { window.letanPlayed.push(call.ticket + "@" + call.counter); next(); };
    audio.onerror = next;
    audio.play().catch(() => {  // the browser wants a touch before it plays sound
      pending.unshift(call);
      playing = false;
      $("sound").hidden = false;
    });
  };
  $("sound").addEventListener("click", () => { $("sound").hidden = true; pump(); });

  Letan.connect("/ws/board" + (point ? "?point=" + encodeURIComponent(point) : ""), (data) => {
    const calls = data.calls || [];
    if (calls.length) {
      const now = calls[0];
      if ($("now-ticket").textContent !== now.ticket || $("now-counter").textContent !== String(now.counter)) {
        $("now-ticket").textContent = now.ticket;
        $("now-counter").textContent = String(now.counter);
        const box = document.querySelector(".now");
        box.classList.remove("flash");
        void box.offsetWidth;
        box.classList.add("flash");
      }
    }
    Letan.rows($("recent"), calls.slice(1, 5).map((c) => [c.ticket, c.counter]));
    Letan.rows($("services"), (data.services || []).map((s) => [s.name, s.waiting, s.waiting ? Letan.minutes(s.wait_min) : "—"]));
    const top = calls.reduce((m, c) => Math.max(m, c.seq), 0);
    if (boot !== data.boot) { boot = data.boot; lastSeq = top; }  // a new page or server: old calls are not played
    for (const c of calls.slice().reverse()) {
      if (c.seq > lastSeq) pending.push(c);
    }
    lastSeq = Math.max(lastSeq, top);
    document.body.dataset.version = String(data.version);
    pump();
  });
})();
