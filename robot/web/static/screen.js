// The citizen's screen: shows what the robot application pushes, sends touches and typing back.
// Nothing is stored in the browser (no cookies, no storage); the state lives in the application.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var body = document.body;
  var mirrorWanted = body.classList.contains("mirror");
  var socket = null;
  var role = "pending";
  var text = "";        // what the keyboard has typed so far (the application keeps the same)
  var sent = 0;         // keyboard messages sent
  var retry = 0;
  var view = "attract";
  var screenId = null;  // a new one when the screen went back to attract (everything cleared)

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws" + (mirrorWanted ? "?mirror=1" : ""));
    socket.onopen = function () { retry = 0; body.classList.remove("offline"); };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "hello") {
        role = message.role;
        body.dataset.role = role;
        body.classList.toggle("mirror", role === "mirror");
        sent = 0;
      } else if (message.type === "render") {
        render(message);
      }
    };
    socket.onclose = function () {
      body.classList.add("offline");
      socket = null;
      retry += 1;
      setTimeout(connect, Math.min(2000, 150 * retry));
    };
  }

  function render(message) {
    root.innerHTML = message.html;
    view = message.view;
    body.dataset.view = view;
    body.classList.toggle("large", !!message.large);
    if (message.seq >= sent || message.screen !== screenId) { text = message.text; sent = message.seq; }
    screenId = message.screen;
    showText();
    if (!body.dataset.rendered) { body.dataset.firstRender = String(Math.round(performance.now())); }
    body.dataset.rendered = String((Number(body.dataset.rendered) || 0) + 1);
  }

  function send(message) {
    if (role !== "controller" || socket === null || socket.readyState !== 1) { return; }
    socket.send(JSON.stringify(message));
  }

  function showText() {
    var box = document.getElementById("input");
    if (!box) { return; }
    box.textContent = text;
    var caret = document.createElement("span");
    caret.className = "caret";
    box.appendChild(caret);
  }

  function typeKey(key) {
    if (key === "back") { text = text.slice(0, -1); }
    else if (key === "clear") { text = ""; }
    else if (key === "space") { text += " "; }
    else { text += key; }
    text = text.slice(0, 100);
    sent += 1;
    showText();
    send({type: "input", text: text, seq: sent});
  }

  function submitInput() {
    var box = document.getElementById("input");
    if (!box) { return; }
    send({type: box.dataset.input === "code" ? "lookup" : "ask"});
  }

  root.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || role !== "controller") { return; }
    var data = target.dataset;
    if (data.key) { typeKey(data.key); }
    else if (data.touch) { send({type: "touch", choice: data.touch}); }
    else if (data.nav) { send(data.arg ? {type: "nav", view: data.nav, arg: data.arg} : {type: "nav", view: data.nav}); }
    else if (data.send === "ask" || data.send === "lookup") { submitInput(); }
    else if (data.send) { send({type: data.send}); }
  });

  // A physical keyboard (a technician's browser) types into the same box.
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("input") || event.ctrlKey || event.altKey || event.metaKey) { return; }
    if (event.key === "Backspace") { typeKey("back"); }
    else if (event.key === "Enter") { submitInput(); }
    else if (event.key === " ") { typeKey("space"); }
    else if (event.key.length === 1) { typeKey(event.key); }
    else { return; }
    event.preventDefault();
  });

  // Kiosk habits: no context menu, no zoom gestures, no dragging text or images.
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  document.addEventListener("dragstart", function (event) { event.preventDefault(); });
  document.addEventListener("gesturestart", function (event) { event.preventDefault(); });
  document.addEventListener("wheel", function (event) { if (event.ctrlKey) { event.preventDefault(); } }, {passive: false});
  document.addEventListener("touchmove", function (event) { if (event.touches.length > 1) { event.preventDefault(); } }, {passive: false});

  connect();
})();
