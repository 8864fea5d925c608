"use strict";
// The rating tablet at a counter: after the counter finishes a ticket it asks once, then thanks and goes back
// to its welcome; left alone it goes back too.
(() => {
  const n = document.body.dataset.counter;
  const idleMs = Number(document.body.dataset.idle || "90") * 1000;
  const $ = (id) => document.getElementById(id);
  let asked = null;
  let answered = null;
  let rating = null;
  let idle = null;

  const show = (which, waitMs) => {
    for (const id of ["welcome", "ask", "thanks"]) $(id).hidden = id !== which;
    document.body.dataset.view = which;
    if (waitMs === undefined) {
      clearTimeout(idle);
      if (which !== "welcome") {
        idle = setTimeout(() => { answered = asked ? asked.ticket : answered; show("welcome"); },
                          which === "thanks" ? 5000 : idleMs);
      }
    }
  };
  const askFor = (ms) => {  // the question stays until the window the server gave runs out
    clearTimeout(idle);
    idle = setTimeout(() => { answered = asked ? asked.ticket : answered; show("welcome"); }, ms);
  };
  show("welcome");

  Letan.connect("/ws/rate/" + n, (data) => {
    if (data.ask && data.ask.ticket !== answered && (!asked || asked.ticket !== data.ask.ticket)) {
      asked = data.ask;
      rating = null;
      $("ask-ticket").textContent = asked.ticket;
      $("reasons").hidden = true;
      show("ask", 0);
      askFor(Math.max(1, asked.remaining_s) * 1000);
    }
  });

  const send = async (reason) => {
    if (!asked) return;
    const ticket = asked.ticket;
    answered = ticket;
    const reply = await Letan.post("/rate/" + n + "/send", {ticket, rating, reason: reason || null});
    $("thanks-text").textContent = reply.message;
    show("thanks");
  };
  for (const button of document.querySelectorAll("button[data-rating]")) {
    button.addEventListener("click", () => {
      rating = button.dataset.rating;
      if (rating === "unsatisfied") { $("reasons").hidden = false; return; }
      send(null);
    });
  }
  for (const button of document.querySelectorAll("button[data-reason]")) {
    button.addEventListener("click", () => send(button.dataset.reason));
  }
})();
