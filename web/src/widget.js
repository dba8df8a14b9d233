/*
 * Light Touch Assistant chat widget: the embed script.
 *
 *   <div id="chat"></div>
 *   <script src="https://assistant.example.gov.uk/widget/widget.js"
 *           data-server="https://assistant.example.gov.uk" data-target="#chat" defer></script>
 *
 * data-server       the Rasa server (default: where this script came from)
 * data-target       CSS selector of the element to put the chat in (default: just after this script)
 * data-id           id of the chat section, for a "Skip to chat" link (default: lta-chat)
 * data-title        heading (default: "Ask the Light Touch Assistant")
 * data-init-payload message sent silently when a new conversation starts (default: /greet; "" for none)
 * data-storage      "session" (default: the conversation lasts while the tab is open) or "local"
 * data-max-chars    message length the server accepts (default: 2000)
 *
 * A classic script, so it works on any page; it loads the widget's ES modules from the same folder.
 * The page's origin must be allowed on the server (allowed_origins / LTA_ALLOWED_ORIGINS).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var folder = new URL(".", script.src).href;
  var data = script.dataset;
  var options = {
    server: (data.server || new URL(script.src).origin).replace(/\/+$/, ""),
    id: data.id || "lta-chat",
    title: data.title || "Ask the Light Touch Assistant",
    initPayload: data.initPayload === undefined ? "/greet" : data.initPayload,
    storage: data.storage === "local" ? "local" : "session",
    maxChars: parseInt(data.maxChars || "2000", 10) || 2000,
  };

  function hostElement() {
    var target = data.target && document.querySelector(data.target);
    if (target) return target;
    var div = document.createElement("div");
    script.parentNode.insertBefore(div, script.nextSibling);
    return div;
  }

  function failed(host) {
    var p = document.createElement("p");
    p.className = "lta-failed";
    p.setAttribute("role", "alert");
    p.textContent = "The Light Touch Assistant could not be loaded. Try reloading the page later.";
    host.replaceChildren(p);
  }

  function start() {
    var host = hostElement();
    if (!document.querySelector("link[data-lta-widget]")) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = folder + "widget.css";
      link.setAttribute("data-lta-widget", "");
      document.head.appendChild(link);
    }
    import(folder + "app.js").then(
      function (app) {
        app.mount(host, options);
      },
      function () {
        failed(host);
      }
    );
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
