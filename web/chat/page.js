// The support page: fills in its texts (page.json) in the browser's language
// and mounts the rasa-webchat widget (webchat.js), connected to the bot's
// socket.io channel on this same origin. No inline script, so the page's
// Content-Security-Policy can forbid them.
(function () {
  "use strict";

  function pageLanguage() {
    var forced = new URLSearchParams(window.location.search).get("lang");
    var tag = forced || navigator.language || "en";
    return tag.toLowerCase().indexOf("de") === 0 ? "de" : "en";
  }

  function getJson(name) {
    return fetch(name, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(name + ": HTTP " + response.status);
      return response.json();
    });
  }

  function fillTexts(text) {
    document.title = text.title;
    document.querySelectorAll("[data-text]").forEach(function (element) {
      var value = text[element.getAttribute("data-text")];
      if (typeof value === "string") element.textContent = value;
    });
    var examples = document.getElementById("examples");
    (text.examples || []).forEach(function (example, index) {
      if (index > 0) examples.appendChild(document.createTextNode(" · "));
      var quoted = document.createElement("q");
      quoted.textContent = example;
      examples.appendChild(quoted);
    });
  }

  function mountWidget(page, config, text, language) {
    var forced = new URLSearchParams(window.location.search).get("lang");
    var delay = page.widget.messageDelayMs;
    window.WebChat.default({
      socketUrl: window.location.origin,
      socketPath: config.socket_path,
      // the bot's first hint of the user's language; what the user writes wins
      customData: { language: forced || navigator.language || language },
      initPayload: page.widget.initPayload,
      params: { storage: page.widget.storage },
      embedded: true,
      withRules: false,
      hideWhenNotConnected: false,
      showCloseButton: false,
      showFullScreenButton: false,
      showMessageDate: false,
      title: text.widget_title,
      subtitle: text.widget_subtitle,
      inputTextFieldHint: text.input_hint,
      connectingText: text.connecting,
      customMessageDelay: function () { return delay; }
    }, document.getElementById("webchat"));
  }

  var language = pageLanguage();
  document.documentElement.lang = language;
  Promise.all([getJson("page.json"), getJson("config.json")]).then(function (loaded) {
    var page = loaded[0];
    var text = page.text[language];
    fillTexts(text);
    mountWidget(page, loaded[1], text, language);
    document.body.setAttribute("data-ready", "true");
  }).catch(function (error) {
    document.body.setAttribute("data-error", String(error));
  });
})();
