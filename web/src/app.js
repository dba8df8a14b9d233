// The Light Touch Assistant chat widget. Loaded by widget.js; talks to bot.server.channels.socketio.
// Message text is only ever put into the page as text nodes (see dom.js and markdown.js).
import { io } from "./vendor/socket.io.esm.min.js";
import { detailsOf, renderCard, retireChangeButtons } from "./card.js";
import { h, uid } from "./dom.js";
import { exampleStart, number, rulesUpdated } from "./format.js";
import { renderMarkdown } from "./markdown.js";
import { ScreenPanel } from "./screen.js";

const REPLY_TIMEOUT_MS = 45000;

function storageFor(kind) {
  try {
    return kind === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage blocked: the conversation then lasts as long as the page
  }
}

/** "Question 2 of 3" over a question of the guided flow (custom.progress = {step, of}), or nothing: only when
 * there is more than one question, and only in order (question 2 straight after question 1 was shown). */
function progress(custom, previous) {
  const p = custom && custom.progress;
  const whole = (n) => Number.isInteger(n) && n > 0;
  if (!p || !whole(p.step) || !whole(p.of) || p.step > p.of || p.of < 2) return null;
  if (p.step > 1 && previous !== p.step - 1 && previous !== p.step) return null;
  return h("p", { class: "lta-msg__progress" }, `Question ${p.step} of ${p.of}`);
}

class ChatWidget {
  constructor(host, options) {
    this.options = options;
    this.server = options.server;
    this.maxChars = options.maxChars;
    this.storage = storageFor(options.storage);
    this.storageKey = `lta-session:${options.server}`;
    this.state = "connecting";
    this.lastUserText = null;
    this.replyTimer = null;
    this.focusNextReplies = false;
    this.anchor = null; // a new answer being read: later messages of the same reply do not scroll past it
    this.lastCard = null;
    this.buildDom(host);
    this.connect();
  }

  // ---- DOM -----------------------------------------------------------------------------------

  buildDom(host) {
    const titleId = uid("lta-title");
    const inputId = uid("lta-input");
    const hintId = uid("lta-hint");
    const countId = uid("lta-count");
    const errorId = uid("lta-error");
    this.status = h("div", { class: "lta__status", role: "status" });
    this.messages = h("ol", { class: "lta__messages" });
    this.typing = h(
      "p",
      { class: "lta__typing", hidden: true },
      "The assistant is working on it",
      h("span", { class: "lta__dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
    );
    this.log = h(
      "div",
      { class: "lta__log", role: "region", "aria-label": "Conversation" },
      this.messages,
      this.typing,
    );
    this.announcer = h("div", { class: "govuk-visually-hidden", "aria-live": "polite", "aria-atomic": "false" });
    this.input = h("input", {
      class: "govuk-input",
      id: inputId,
      name: "message",
      type: "text",
      autocomplete: "off",
      spellcheck: "true",
      "aria-describedby": `${hintId} ${countId}`,
    });
    this.count = h("div", { class: "govuk-hint lta__count", id: countId });
    this.error = h("p", { class: "govuk-error-message", id: errorId, hidden: true });
    this.formGroup = h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--s", for: inputId }, "Your message"),
      h(
        "div",
        { class: "govuk-hint", id: hintId },
        `For example: does the light touch regime apply to a £700k home care contract starting in ${exampleStart()}?`,
      ),
      this.error,
      this.input,
      this.count,
    );
    this.form = h(
      "form",
      { class: "lta__form", novalidate: true, onsubmit: (e) => this.onSubmit(e) },
      this.formGroup,
      h(
        "div",
        { class: "govuk-button-group" },
        h("button", { type: "submit", class: "govuk-button" }, "Send"),
        h(
          "button",
          { type: "button", class: "govuk-button govuk-button--secondary", onclick: () => this.newConversation() },
          "Start a new conversation",
        ),
      ),
    );
    this.root = h(
      "section",
      { class: "lta", id: this.options.id, tabindex: "-1", "aria-labelledby": titleId },
      h("h2", { class: "govuk-heading-m lta__title", id: titleId }, this.options.title),
      h(
        "p",
        { class: "govuk-body-s lta__intro" },
        "Ask which procurement rules apply to a contract for people-facing services. ",
        "Answers are guidance with legal references, not legal advice.",
      ),
      this.status,
      this.log,
      this.announcer,
      this.form,
    );
    this.screen = new ScreenPanel(this); // "Check a list", above the conversation
    this.root.insertBefore(this.screen.panel, this.status);
    this.root.insertBefore(this.screen.toggle, this.screen.panel);
    this.input.addEventListener("input", () => this.updateCount());
    host.replaceChildren(this.root);
    this.updateCount();
    this.setState("connecting");
  }

  updateCount() {
    const length = this.input.value.length;
    const left = this.maxChars - length;
    const over = left < 0;
    this.count.textContent = over
      ? `You have ${number(-left)} ${-left === 1 ? "character" : "characters"} too many`
      : `You can enter up to ${number(this.maxChars)} characters (${number(left)} left)`;
    this.count.classList.toggle("lta__count--over", over);
    if (over !== this.wasOver) {
      this.wasOver = over;
      if (over) this.announce(`Your message is over ${number(this.maxChars)} characters.`);
    }
  }

  announce(text) {
    const line = h("p", {}, text.length > 400 ? `${text.slice(0, 400)}…` : text);
    this.announcer.appendChild(line);
    while (this.announcer.childNodes.length > 3) this.announcer.removeChild(this.announcer.firstChild);
  }

  /** Shows the reply so far from its first message (a quiz's feedback stays in view above the next question):
   * with the message box below it when it all fits, else from its top (a long follow-up list opens at its top). */
  reveal(item) {
    const first = this.replyStart || item;
    const span = this.form.getBoundingClientRect().bottom - first.getBoundingClientRect().top;
    if (span > window.innerHeight) first.scrollIntoView({ block: "start" });
    else this.form.scrollIntoView({ block: "nearest" });
  }

  setState(state, detail) {
    this.state = state;
    this.status.replaceChildren();
    this.status.classList.toggle("lta__status--error", state === "error" || state === "failed");
    this.root.dataset.state = state;
    const retry = (label, action) =>
      h("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: action }, label);
    if (state === "connecting") {
      this.status.append(h("p", {}, "Connecting to the assistant…"));
    } else if (state === "disconnected") {
      this.status.append(
        h("p", {}, "You are not connected to the assistant. We are trying to reconnect."),
        retry("Try again now", () => this.retry()),
      );
    } else if (state === "failed") {
      this.status.append(
        h("p", {}, "We could not connect to the assistant. Check your connection, then try again."),
        retry("Try again", () => this.retry()),
      );
    } else if (state === "error") {
      this.status.append(
        h("p", {}, detail || "Something went wrong on the assistant's side. Your conversation is saved."),
        this.lastUserText ? retry("Send my last message again", () => this.resend()) : null,
      );
    }
  }

  showFormError(text) {
    this.error.replaceChildren(h("span", { class: "govuk-visually-hidden" }, "Error: "), text);
    this.error.hidden = !text;
    this.formGroup.classList.toggle("govuk-form-group--error", Boolean(text));
    this.input.classList.toggle("govuk-input--error", Boolean(text));
  }

  // ---- messages ------------------------------------------------------------------------------

  addMessage(who, content, extraClass) {
    const item = h(
      "li",
      { class: `lta-msg lta-msg--${who}${extraClass ? ` ${extraClass}` : ""}` },
      h("span", { class: "lta-msg__who" }, who === "user" ? "You" : who === "bot" ? "Assistant" : "Note"),
      content,
    );
    this.messages.appendChild(item);
    if (who === "bot" && !this.replyStart) this.replyStart = item;
    if (!this.anchor && this.engaged) this.reveal(item); // the page does not move before the officer writes
    return item;
  }

  renderUser(text) {
    // pre-wrap keeps the officer's line breaks; textContent keeps any markup as typed.
    this.addMessage("user", h("div", { class: "lta-msg__body" }, text));
  }

  renderBot(message, { live }) {
    const parts = [];
    const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
    const assessment = custom && custom.type === "ltr_assessment" && custom.assessment ? custom.assessment : null;
    if (custom && custom.type === "ltr_answer_text" && this.lastCard && message.text) {
      // The answer's further plain-text messages (for chats without cards) repeat the card:
      // keep them with it, for "Show as plain text" and "Copy answer".
      this.addPlainText(this.lastCard, message.text);
      return;
    }
    let spoken = "";
    let card = null;
    if (assessment) {
      this.lastStep = null; // the questions for this answer are over
      retireChangeButtons(this.messages);
      card = renderCard(assessment, {
        understood: Array.isArray(custom.understood) ? custom.understood : [],
        changed: typeof custom.changed === "string" ? custom.changed : null,
        onChange: (fact) => this.changeFact(fact),
        onCopy: (button, c) => this.copyAnswer(button, c),
        onPrint: (c) => this.printAnswer(c),
        onDownload: (format, button, c) => this.download(format, button, c, assessment),
      });
      card.ltaText = [];
      this.lastCard = card;
      parts.push(card);
      if (message.text) {
        card.ltaPlain = h("div", { class: "govuk-details__text lta-msg__body" });
        parts.push(
          h(
            "details",
            { class: "govuk-details lta-card__plain" },
            h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, "Show as plain text")),
            card.ltaPlain,
          ),
        );
        this.addPlainText(card, message.text);
      }
    } else if (message.text) {
      const body = h("div", { class: "lta-msg__body" }, renderMarkdown(message.text));
      const step = progress(custom, this.lastStep);
      if (custom && custom.progress) this.lastStep = step ? custom.progress.step : null;
      parts.push(step, body);
      spoken = `${step ? `${step.textContent}. ` : ""}${body.textContent.replace(/\s+/g, " ").trim()}`;
    }
    if (custom && custom.type === "quiz_report" && live !== "history-old") {
      const formats = Array.isArray(custom.formats) ? custom.formats.filter((f) => f === "html" || f === "csv") : [];
      const box = h("div", { class: "lta-replies lta-quiz-report", role: "group", "aria-label": "Your quiz results" });
      formats.forEach((format) => {
        const button = h(
          "button",
          { type: "button", class: "govuk-button govuk-button--secondary", "data-format": format },
          `Download your results (${format.toUpperCase()})`,
        );
        button.addEventListener("click", () => this.downloadQuizReport(format, button, box));
        box.appendChild(button);
      });
      if (formats.length) parts.push(box);
    }
    if (message.attachment && message.attachment.type === "image") {
      parts.push(h("p", {}, "(The assistant sent a picture that this chat cannot show.)"));
    }
    const replies = Array.isArray(message.quick_replies) ? message.quick_replies.filter((r) => r && r.title) : [];
    let group = null;
    if (replies.length && live !== "history-old") {
      group = h(
        "div",
        { class: "lta-replies", role: "group", "aria-label": "Suggested answers" },
        replies.map((r) =>
          h(
            "button",
            {
              type: "button",
              class: "govuk-button govuk-button--secondary",
              "data-payload": r.payload,
              onclick: () => this.chooseReply(r),
            },
            r.title,
          ),
        ),
      );
      parts.push(group);
      spoken += ` Choices: ${replies.map((r) => r.title).join(", ")}.`;
    }
    if (!parts.length) return;
    const item = this.addMessage("bot", parts, assessment ? "lta-msg--wide" : "");
    if (card && live === true) {
      this.showAnswer(item, card);
    } else if (live === true) {
      if (group && this.focusNextReplies) {
        // The officer answered with a button, which has now gone: move focus to the start of this reply, so
        // what was said about their answer (a quiz's feedback) is read before the next question; Tab then
        // reaches the new answer buttons.
        const first = this.replyStart || item;
        first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: true });
        this.reveal(item);
      } else {
        this.announce(`Assistant: ${spoken.trim()}`);
      }
    }
    if (group || assessment) this.focusNextReplies = false;
  }

  /** A new answer: its headline at the top of the window and focused (read out); Tab then reaches its buttons. */
  showAnswer(item, card) {
    const headline = card.querySelector(".lta-card__headline");
    this.anchor = item;
    headline.focus({ preventScroll: true });
    item.scrollIntoView({ block: "start" });
  }

  addPlainText(card, text) {
    card.ltaText.push(text);
    if (card.ltaPlain) card.ltaPlain.append(renderMarkdown(text));
  }

  changeFact(fact) {
    this.focusNextReplies = true; // the question that follows gets focus, as after any button
    const label = String(fact.label || "").trim();
    // "Change value", but "Change VAT": lower case the first letter of a word, not of an abbreviation.
    const word = /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
    if (this.send(fact.change, `Change ${word}`.trim())) this.input.focus();
  }

  async copyAnswer(button, card) {
    const a = card.ltaAssessment;
    const text = card.ltaText.length ? card.ltaText.join("\n\n") : `${a.answer || ""}\n\nRules last updated ${rulesUpdated(a.rules_version)}.`;
    const old = card.querySelector(".lta-card__copy-result");
    if (old) old.remove();
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false; // no clipboard access (an insecure page, or the browser refused)
    }
    button.after(
      h(
        "p",
        { class: `lta-card__copy-result${copied ? "" : " govuk-error-message"}`, role: "status" },
        copied ? "Answer copied." : "The answer could not be copied. Select “Show as plain text” and copy it from there.",
      ),
    );
  }

  printAnswer(card) {
    // Print this answer alone, with its collapsed parts opened; put things back afterwards.
    const closed = [...card.querySelectorAll("details:not([open])")];
    const root = document.documentElement;
    const restore = () => {
      closed.forEach((d) => d.removeAttribute("open"));
      card.classList.remove("lta-card--printing");
      root.classList.remove("lta-printing");
      window.removeEventListener("afterprint", restore);
    };
    closed.forEach((d) => d.setAttribute("open", ""));
    card.classList.add("lta-card--printing");
    root.classList.add("lta-printing");
    window.addEventListener("afterprint", restore);
    window.print();
  }

  removeReplies() {
    for (const group of this.messages.querySelectorAll(".lta-replies")) group.remove();
  }

  clearConversation() {
    this.afterReply = null;
    this.messages.replaceChildren();
    this.anchor = null;
    this.lastCard = null;
    this.lastStep = null;
    this.replyStart = null;
    this.hideTyping();
  }

  showTyping() {
    this.typing.hidden = false;
    this.form.scrollIntoView({ block: "nearest" });
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(() => {
      this.hideTyping();
      this.setState("error", "The assistant has not replied. It may be busy: please try again.");
    }, REPLY_TIMEOUT_MS);
  }

  hideTyping() {
    this.typing.hidden = true;
    clearTimeout(this.replyTimer);
  }

  // ---- user actions --------------------------------------------------------------------------

  onSubmit(event) {
    event.preventDefault();
    const text = this.input.value.trim();
    if (!text) {
      this.showFormError("Enter a message");
      this.input.focus();
      return;
    }
    if (text.length > this.maxChars) {
      // Not sent, and kept in the box: the officer shortens it rather than losing it.
      this.showFormError(`Your message must be ${number(this.maxChars)} characters or fewer`);
      this.input.focus();
      return;
    }
    if (!this.send(text, text)) return;
    this.input.value = "";
    this.updateCount();
    this.input.focus();
  }

  chooseReply(reply) {
    this.focusNextReplies = true;
    if (this.send(reply.payload || reply.title, reply.title)) this.input.focus();
  }

  /** Sends `payload`, showing `shown` as the user's message. Returns false if not connected. */
  send(payload, shown) {
    if (this.state !== "ready" && this.state !== "error") {
      this.showFormError("You are not connected to the assistant yet. Wait a moment, or select “Try again now”.");
      return false;
    }
    this.showFormError("");
    if (this.state === "error") this.setState("ready");
    this.removeReplies();
    this.anchor = null;
    this.engaged = true;
    this.replyStart = null;
    this.renderUser(shown);
    this.lastUserText = payload;
    this.socket.emit("user_uttered", { message: payload });
    this.showTyping();
    return true;
  }

  /** "Ask about this row" (screen.js): the row's facts sent as the officer's message; the answer comes in the chat.
   * A row is a contract of its own: when the chat already holds a case (or waits for an answer), it is cleared first
   * ("start again", which the assistant confirms), so a row for the same service is not read as a correction of
   * the last one. Focus goes to the message box (the answer's headline takes it when the answer arrives). */
  askAbout(text) {
    const message = text.length > this.maxChars ? text.slice(0, this.maxChars) : text;
    const fresh = !this.messages.querySelector(".lta-msg--user");
    if (fresh) {
      this.send(message, message);
    } else if (this.state === "ready" || this.state === "error") {
      this.afterReply = () => this.send(message, message);
      this.removeReplies();
      this.socket.emit("user_uttered", { message: "/start_again" });
      this.showTyping();
    } else {
      this.send(message, message); // not connected: says so by the message box
    }
    this.input.focus({ preventScroll: true });
    this.form.scrollIntoView({ block: "nearest" });
  }

  /** The signed session token, for the widget's HTTP routes. */
  sessionToken() {
    return this.storedToken() || this.hadToken || "";
  }

  resend() {
    if (this.lastUserText) this.send(this.lastUserText, this.lastUserText);
  }

  newConversation() {
    this.startingNew = true;
    this.clearConversation();
    this.lastUserText = null;
    if (this.socket && this.socket.connected) this.socket.emit("session_request", { new: true, session_id: this.storedToken() });
    this.input.focus();
  }

  retry() {
    this.setState("connecting");
    this.socket.disconnect();
    this.socket.connect();
  }

  async download(format, button, card, assessment) {
    const old = card.querySelector(".lta-card__download-error");
    if (old) old.remove();
    button.setAttribute("aria-disabled", "true");
    try {
      const response = await fetch(`${this.server}/widget/record?format=${format}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify({
          session_id: this.storedToken() || this.hadToken,
          assessment,
          details: detailsOf(card),
        }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: match ? match[1] : `decision-record.${format}` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      this.announce("The decision record has been downloaded.");
    } catch {
      button.after(
        h("p", { class: "govuk-error-message lta-card__download-error", role: "alert" }, "The decision record could not be made. Try again."),
      );
    } finally {
      button.removeAttribute("aria-disabled");
    }
  }

  async downloadQuizReport(format, button, box) {
    const old = box.querySelector(".lta-quiz-report__error");
    if (old) old.remove();
    button.setAttribute("aria-disabled", "true");
    try {
      // Only the signed session id is sent: the server reads the results from its own record of this chat.
      const response = await fetch(`${this.server}/widget/quiz-report?format=${format}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify({ session_id: this.storedToken() || this.hadToken }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const url = URL.createObjectURL(await response.blob());
      const a = h("a", { href: url, download: match ? match[1] : `quiz-results.${format}` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      this.announce("Your quiz results have been downloaded.");
    } catch {
      box.append(
        h("p", { class: "govuk-error-message lta-quiz-report__error", role: "alert" }, "Your results could not be downloaded. Try again."),
      );
    } finally {
      button.removeAttribute("aria-disabled");
    }
  }

  // ---- the connection ------------------------------------------------------------------------

  storedToken() {
    try {
      return this.storage ? this.storage.getItem(this.storageKey) : null;
    } catch {
      return null;
    }
  }

  storeToken(token) {
    try {
      if (this.storage) this.storage.setItem(this.storageKey, token);
    } catch {
      /* storage full or blocked: the session then lasts as long as the page */
    }
  }

  connect() {
    this.socket = io(this.server, {
      path: "/socket.io",
      reconnectionAttempts: 8,
      reconnectionDelayMax: 10000,
      timeout: 10000,
    });
    const socket = this.socket;
    socket.on("connect", () => {
      this.setState("connecting");
      this.hadToken = this.storedToken();
      socket.emit("session_request", this.startingNew ? { new: true, session_id: this.hadToken } : { session_id: this.hadToken });
    });
    socket.on("session_confirm", (token) => this.onSessionConfirm(token));
    socket.on("lta_history", (data) => this.onHistory(data));
    socket.on("bot_uttered", (message) => {
      this.hideTyping();
      this.renderBot(message || {}, { live: true });
      const next = this.afterReply; // "Ask about this row" after the chat was cleared
      this.afterReply = null;
      if (next) next();
    });
    socket.on("lta_error", (error) => {
      this.hideTyping();
      this.setState("error", error && error.message);
    });
    socket.on("disconnect", (reason) => {
      this.hideTyping();
      if (reason !== "io client disconnect") this.setState("disconnected");
    });
    socket.on("connect_error", () => {
      if (this.state !== "failed") this.setState("disconnected");
    });
    socket.io.on("reconnect_failed", () => this.setState("failed"));
  }

  onSessionConfirm(token) {
    const resumed = Boolean(this.hadToken) && token === this.hadToken && !this.startingNew;
    this.storeToken(token);
    this.setState("ready");
    if (resumed) return; // lta_history follows
    const lostOld = Boolean(this.hadToken) && !this.startingNew;
    this.clearConversation();
    this.hadToken = token;
    if (lostOld) {
      this.addMessage("notice", h("p", {}, "Your earlier conversation could not be resumed, so this is a new one."));
    }
    if (this.startingNew) this.announce("A new conversation has started.");
    this.startingNew = false;
    this.greet();
  }

  greet() {
    if (this.options.initPayload) {
      this.socket.emit("user_uttered", { message: this.options.initPayload });
      this.showTyping();
    }
  }

  onHistory(data) {
    const messages = data && Array.isArray(data.messages) ? data.messages : [];
    this.clearConversation();
    if (!messages.length) {
      this.greet();
      return;
    }
    const quiz = data && Array.isArray(data.quiz) ? data.quiz : [];
    messages.forEach((m, i) => {
      if (m.sender === "user") this.renderUser(String(m.text || ""));
      else this.renderBot(m, { live: i === messages.length - 1 && !quiz.length ? "history-last" : "history-old" });
    });
    // A quiz was running: say where it stands and ask its question again, with its answer buttons.
    quiz.forEach((m) => this.renderBot(m, { live: "history-last" }));
    const where = quiz.length ? ` ${String(quiz[0].text || "")}` : "";
    this.announce(`Your conversation has been restored (${messages.length} messages).${where}`);
    this.replyStart = null;
    if (this.messages.lastElementChild) this.reveal(this.messages.lastElementChild); // where the officer left off
  }
}

export function mount(host, options) {
  return new ChatWidget(host, options);
}
