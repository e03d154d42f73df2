// Wrench sandbox: the browser side of a local stand-in for Slack (not Slack).
// Everything on screen is GET /sandbox/api/state?user=<person>; every action is a POST /sandbox/api/<verb>.
// Text from the bot or from people is never parsed as HTML: the page is built from DOM nodes only.
"use strict";

(() => {
  const API = "/sandbox/api/";
  const STORE_KEY = "wrench-sandbox-person";
  const PHONE = window.matchMedia("(max-width: 760px)");

  // ---------------------------------------------------------------- small helpers

  /** h("div", {class: "x", onclick: fn, "data-a": 1}, child, [children], "text") */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key in node && typeof value !== "string") node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const $ = (id) => document.getElementById(id);
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;
  const actionTs = () => (Date.now() / 1000).toFixed(6);

  function hue(text) {
    let sum = 0;
    for (const char of String(text)) sum = (sum * 31 + char.codePointAt(0)) % 360;
    return sum;
  }

  // ---------------------------------------------------------------- app state

  const app = {
    me: localStorage.getItem(STORE_KEY) || new URLSearchParams(location.search).get("as") || "",
    state: null,
    view: null, // {kind: "conversation", id} | {kind: "home"}
    thread: null, // {channel, ts}
    showCalls: false,
    homeOpened: new Set(),
    inputs: new Map(), // view_id -> Map("block\0action" -> Slack state value) of what the person changed
    submitErrors: new Map(), // view_id -> errors answered by view_submit, until the next state
    signatures: {},
    fetching: false,
    again: false,
  };

  const people = () => (app.state ? app.state.people : []);
  const person = (id) => people().find((p) => p.id === id);
  const conversation = (id) => (app.state ? app.state.conversations.find((c) => c.id === id) : undefined);

  // ---------------------------------------------------------------- server calls

  async function refresh() {
    if (app.fetching) { app.again = true; return; }
    app.fetching = true;
    try {
      const asked = app.me;
      const query = asked ? `?user=${encodeURIComponent(asked)}` : "";
      const answer = await fetch(`${API}state${query}`, { headers: { Accept: "application/json" } });
      if (!answer.ok) throw new Error(`the sandbox answered ${answer.status}`);
      const state = await answer.json();
      if (app.me !== asked) {
        // The person was switched while this answer was on its way: it is someone else's view.
        app.again = true;
        return;
      }
      if (!app.me) app.me = state.me || (state.people[0] || {}).id || "";
      if (state.me && state.me !== asked && asked) {
        // The server chose someone else (an unknown id was asked for): follow it.
        app.me = state.me;
      }
      app.state = state;
      app.submitErrors.clear();
      render();
      setConnection(true);
    } catch (error) {
      setConnection(false, String(error.message || error));
    } finally {
      app.fetching = false;
      if (app.again) { app.again = false; refresh(); }
    }
  }

  /** POST a person's action; an `{ok: false}` answer is shown to the person as Slack would show it. */
  async function act(verb, body) {
    let answer;
    try {
      const response = await fetch(API + verb, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ user: app.me, ...body }),
      });
      answer = await response.json().catch(() => ({ ok: false, error: `The sandbox answered ${response.status}` }));
    } catch (error) {
      answer = { ok: false, error: "The sandbox cannot be reached. Is `wrench sandbox` still running?" };
    }
    if (!answer.ok) toast(answer.error || "Something went wrong", "error");
    if (verb !== "options") refresh();
    return answer;
  }

  /** Upload a file chosen in a form's file input; the file as the form's state carries it, or null. */
  async function upload(file) {
    const form = new FormData();
    form.append("user", app.me);
    form.append("file", file, file.name);
    try {
      const response = await fetch(API + "upload", { method: "POST", body: form });
      const answer = await response.json().catch(() => ({ ok: false, error: `The sandbox answered ${response.status}` }));
      if (answer.ok) return answer.file;
      toast(answer.error || "The file could not be uploaded", "error");
    } catch (error) {
      toast("The sandbox cannot be reached. Is `wrench sandbox` still running?", "error");
    }
    return null;
  }

  let refreshTimer = null;
  function soon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 60);
  }

  function listen() {
    if (!window.EventSource) return;
    const source = new EventSource(`${API}events`);
    source.onmessage = (event) => {
      let data = {};
      try { data = JSON.parse(event.data); } catch (_) { /* a comment or keep-alive */ }
      if (data.type === "changed") soon();
    };
    source.onopen = () => setConnection(true);
    source.onerror = () => setConnection(false, "reconnecting to the sandbox…");
  }

  function setConnection(ok, text) {
    const node = $("connection");
    node.hidden = ok;
    node.textContent = ok ? "" : text || "";
  }

  // ---------------------------------------------------------------- toasts and menus

  function toast(text, kind) {
    const node = h("div", { class: `toast ${kind || ""}`, role: kind === "error" ? "alert" : "status" },
      h("span", { class: "toast-text" }, mrkdwn(String(text))),
      h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: () => node.remove() }, "×"));
    $("toasts").append(node);
    setTimeout(() => node.remove(), 8000);
  }

  let openMenu = null;
  function closeMenu() {
    if (!openMenu) return;
    const { node, anchor } = openMenu;
    openMenu = null;
    node.remove();
    anchor.setAttribute("aria-expanded", "false");
  }

  /** A small popup menu below `anchor`: items [{label, onSelect, description?}]. */
  function menu(anchor, items, label) {
    const wasOpen = openMenu && openMenu.anchor === anchor;
    closeMenu();
    if (wasOpen) return;
    const list = h("div", { class: "menu", role: "menu", "aria-label": label || "Menu" },
      items.length ? items.map((item) => h("button", {
        type: "button", role: "menuitem", class: "menu-item",
        onclick: () => { closeMenu(); item.onSelect(); },
      }, h("span", {}, item.label), item.description ? h("small", {}, item.description) : null))
        : h("div", { class: "menu-empty" }, "Nothing here"));
    document.body.append(list);
    const box = anchor.getBoundingClientRect();
    const width = Math.min(280, window.innerWidth - 16);
    list.style.minWidth = `${Math.min(200, width)}px`;
    list.style.maxWidth = `${width}px`;
    const left = Math.max(8, Math.min(box.right - list.offsetWidth, window.innerWidth - list.offsetWidth - 8));
    const below = box.bottom + 4 + list.offsetHeight < window.innerHeight;
    list.style.left = `${left + window.scrollX}px`;
    list.style.top = `${(below ? box.bottom + 4 : Math.max(8, box.top - 4 - list.offsetHeight)) + window.scrollY}px`;
    anchor.setAttribute("aria-expanded", "true");
    openMenu = { node: list, anchor };
    const first = list.querySelector("button");
    if (first) first.focus();
    list.addEventListener("keydown", (event) => {
      const buttons = [...list.querySelectorAll("button")];
      const at = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown") { event.preventDefault(); buttons[(at + 1) % buttons.length].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); buttons[(at - 1 + buttons.length) % buttons.length].focus(); }
      if (event.key === "Escape") { event.preventDefault(); closeMenu(); anchor.focus(); }
    });
  }

  document.addEventListener("click", (event) => {
    if (openMenu && !openMenu.node.contains(event.target) && !openMenu.anchor.contains(event.target)) closeMenu();
  });

  /** Slack's confirmation dialog object → a promise of true (confirmed) or false. */
  function confirmDialog(confirm) {
    return new Promise((resolve) => {
      const previous = document.activeElement;
      const titleId = nextId("confirm-title");
      const done = (answer) => { backdrop.remove(); if (previous) previous.focus(); resolve(answer); };
      const yes = h("button", { type: "button", class: `button ${confirm.style === "danger" ? "danger" : "primary"}`, onclick: () => done(true) },
        plain(confirm.confirm, "Yes"));
      const no = h("button", { type: "button", class: "button", onclick: () => done(false) }, plain(confirm.deny, "Cancel"));
      const dialog = h("div", { class: "dialog confirm", role: "alertdialog", "aria-modal": "true", "aria-labelledby": titleId },
        h("h2", { id: titleId }, plain(confirm.title, "Are you sure?")),
        h("div", { class: "confirm-text" }, textObject(confirm.text)),
        h("div", { class: "dialog-footer" }, no, yes));
      const backdrop = h("div", { class: "backdrop confirm-backdrop" }, dialog);
      backdrop.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); done(false); }
        trapFocus(event, dialog);
      });
      document.body.append(backdrop);
      yes.focus();
    });
  }

  function trapFocus(event, container) {
    if (event.key !== "Tab") return;
    const focusable = [...container.querySelectorAll(
      "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])",
    )].filter((node) => node.offsetParent !== null || node === document.activeElement);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    else if (!container.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
  }

  // ---------------------------------------------------------------- mrkdwn

  const EMOJI = {
    arrow_forward: "▶️", bell: "🔔", calendar: "📆", clipboard: "📋", double_vertical_bar: "⏸️", eyes: "👀",
    gear: "⚙️", hammer_and_wrench: "🛠️", heavy_check_mark: "✔️", hourglass_flowing_sand: "⏳", inbox_tray: "📥",
    large_blue_circle: "🔵", large_green_circle: "🟢", large_orange_circle: "🟠", large_yellow_circle: "🟡",
    leftwards_arrow_with_hook: "↩️", lock: "🔒", memo: "📝", new: "🆕", no_entry_sign: "🚫", package: "📦",
    paperclip: "📎", raising_hand: "🙋", red_circle: "🔴", repeat: "🔁", rotating_light: "🚨", stopwatch: "⏱️",
    sunrise: "🌅", tada: "🎉", thumbsup: "👍", "+1": "👍", ticket: "🎫", wastebasket: "🗑️", warning: "⚠️",
    white_check_mark: "✅", white_circle: "⚪", white_medium_square: "◻️", wrench: "🔧", x: "❌", zap: "⚡",
    bar_chart: "📊", chart_with_upwards_trend: "📈", construction: "🚧", fire: "🔥", clock9: "🕘", hourglass: "⌛",
    handshake: "🤝", star: "⭐",
  };

  const decode = (text) => String(text).replace(/&(lt|gt|amp);/g, (_, name) => ({ lt: "<", gt: ">", amp: "&" })[name]);
  const SAFE_URL = /^(https?:|mailto:|tel:)/i; // what a link in mrkdwn may open
  const SAFE_FILE = /^(https?:|\/(?!\/))/i; // files and images may also be the sandbox's own paths

  function emoji(name) {
    return EMOJI[name] ? h("span", { class: "emoji", role: "img", "aria-label": name.replace(/_/g, " "), title: `:${name}:` }, EMOJI[name]) : null;
  }

  /** Slack's mrkdwn → a DocumentFragment of DOM nodes (never HTML). */
  function mrkdwn(text, options) {
    const fragment = document.createDocumentFragment();
    const parts = String(text ?? "").split("```");
    parts.forEach((part, index) => {
      if (index % 2 === 1 && index < parts.length - 1) {
        fragment.append(h("pre", { class: "md-pre" }, decode(part.replace(/^\n/, ""))));
        return;
      }
      if (index % 2 === 1) part = "```" + part; // an unclosed fence is text
      const lines = part.split("\n");
      let quote = null;
      lines.forEach((line, at) => {
        const quoted = /^(&gt;|>)\s?/.exec(line);
        if (quoted) {
          if (!quote) { quote = h("blockquote", { class: "md-quote" }); fragment.append(quote); }
          else quote.append(h("br"));
          quote.append(inline(line.slice(quoted[0].length), options));
          return;
        }
        quote = null;
        fragment.append(inline(line, options));
        if (at < lines.length - 1 && !/^(&gt;|>)/.test(lines[at + 1])) fragment.append(h("br"));
      });
    });
    return fragment;
  }

  const TOKEN = /`([^`\n]+)`|<([^<>\n]+)>|:([a-z0-9_+-]+):/g;
  const MARK = /([*_~])(?=[^\s*_~])([^\n]*?[^\s])\1/g;
  const WORD = /[\p{L}\p{N}]/u;

  function inline(text, options) {
    const tokens = [];
    const masked = text.replace(TOKEN, (whole, code, angle, name) => {
      let node = null;
      if (code !== undefined) node = h("code", { class: "md-code" }, decode(code));
      else if (angle !== undefined) node = angleToken(angle, options);
      else node = emoji(name);
      if (!node) return whole;
      tokens.push(node);
      return `\uE000${tokens.length - 1}\uE001`;
    });
    return formatted(masked, tokens);
  }

  function formatted(text, tokens) {
    const fragment = document.createDocumentFragment();
    let at = 0;
    MARK.lastIndex = 0;
    let match;
    while ((match = MARK.exec(text))) {
      const before = text[match.index - 1];
      const after = text[match.index + match[0].length];
      const joined = (char) => char && (WORD.test(char) || char === match[1]);
      if (joined(before) || joined(after)) {
        MARK.lastIndex = match.index + 1;
        continue;
      }
      fragment.append(unmask(text.slice(at, match.index), tokens));
      const tag = { "*": "strong", _: "em", "~": "s" }[match[1]];
      fragment.append(append(h(tag, {}), [formatted(match[2], tokens)]));
      at = match.index + match[0].length;
      MARK.lastIndex = at;
    }
    fragment.append(unmask(text.slice(at), tokens));
    return fragment;
  }

  function unmask(text, tokens) {
    const fragment = document.createDocumentFragment();
    text.split(/\uE000(\d+)\uE001/).forEach((piece, index) => {
      if (index % 2 === 1) fragment.append(tokens[Number(piece)].cloneNode(true));
      else if (piece) fragment.append(document.createTextNode(decode(piece)));
    });
    return fragment;
  }

  function angleToken(body, options) {
    const [target, label] = splitOnce(body, "|");
    if (/^@[UW][A-Z0-9]+$/.test(target)) {
      const who = person(target.slice(1));
      return h("span", { class: "mention", "data-user": target.slice(1) }, `@${who ? who.name : label || target.slice(1)}`);
    }
    if (/^#C[A-Z0-9]+$/.test(target)) {
      const where = conversation(target.slice(1));
      return h("span", { class: "mention channel-mention" }, `#${where ? where.name : label || target.slice(1)}`);
    }
    if (/^!(here|channel|everyone)$/.test(target)) return h("span", { class: "mention broadcast" }, `@${target.slice(1)}`);
    if (target.startsWith("!subteam^")) return h("span", { class: "mention" }, decode(label || "@team"));
    if (target.startsWith("!date^")) return dateToken(target, label);
    const url = decode(target);
    if (SAFE_URL.test(url)) {
      const link = h("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
      link.append(label ? unmask(label, []) : document.createTextNode(url));
      if (options && options.noLinks) return h("span", { class: "link-text" }, label ? decode(label) : url);
      return link;
    }
    return null; // not a token Slack knows: shown as the text it is
  }

  function splitOnce(text, separator) {
    const at = text.indexOf(separator);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  // <!date^1772445600^{date_short_pretty} {time}|fallback>, in the reader's time zone, "today" by the sandbox clock
  function dateToken(target, fallback) {
    const [, seconds, format, link] = target.split("^");
    const moment = new Date(Number(seconds) * 1000);
    if (!format || Number.isNaN(moment.getTime())) return document.createTextNode(decode(fallback || target));
    const text = format.replace(/\{(\w+)\}/g, (whole, token) => dateText(moment, token) ?? whole);
    const node = h("time", { class: "md-date", datetime: moment.toISOString(), title: decode(fallback || moment.toString()) }, text);
    if (link && SAFE_URL.test(link)) return h("a", { href: link, target: "_blank", rel: "noopener noreferrer" }, node);
    return node;
  }

  function sandboxNow() {
    const now = app.state && Date.parse(app.state.now);
    return Number.isNaN(now) || !now ? new Date() : new Date(now);
  }

  function dayDistance(moment) {
    const a = sandboxNow();
    const start = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    return Math.round((start(moment) - start(a)) / 86400000);
  }

  function dateText(moment, token) {
    const pretty = () => ({ 0: "Today", [-1]: "Yesterday", 1: "Tomorrow" })[dayDistance(moment)];
    const short = { month: "short", day: "numeric", year: moment.getFullYear() === sandboxNow().getFullYear() ? undefined : "numeric" };
    switch (token) {
      case "date_num": return moment.toLocaleDateString("sv-SE");
      case "date_slash": return moment.toLocaleDateString();
      case "date": return moment.toLocaleDateString(undefined, { month: "long", day: "numeric", year: "numeric" });
      case "date_short": return moment.toLocaleDateString(undefined, short);
      case "date_long": return moment.toLocaleDateString(undefined, { weekday: "long", month: "long", day: "numeric", year: "numeric" });
      case "date_pretty": return pretty() || dateText(moment, "date");
      case "date_short_pretty": return pretty() || dateText(moment, "date_short");
      case "date_long_pretty": return pretty() || dateText(moment, "date_long");
      case "time": return moment.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
      case "time_secs": return moment.toLocaleTimeString();
      case "ago": {
        const minutes = Math.round((sandboxNow() - moment) / 60000);
        if (Math.abs(minutes) < 60) return minutes >= 0 ? `${minutes} minutes ago` : `in ${-minutes} minutes`;
        const hours = Math.round(minutes / 60);
        if (Math.abs(hours) < 48) return hours >= 0 ? `${hours} hours ago` : `in ${-hours} hours`;
        const days = Math.round(hours / 24);
        return days >= 0 ? `${days} days ago` : `in ${-days} days`;
      }
      default: return null;
    }
  }

  /** A plain_text object's text, with its emoji shortcodes; `fallback` when there is none. */
  function plain(object, fallback) {
    const text = object && typeof object === "object" ? object.text : object;
    if (text === undefined || text === null || text === "") return fallback ?? "";
    return plainText(text);
  }

  function plainText(text) {
    const fragment = document.createDocumentFragment();
    String(text).split(/:([a-z0-9_+-]+):/).forEach((piece, index) => {
      const icon = index % 2 === 1 ? emoji(piece) : null;
      if (icon) fragment.append(icon);
      else if (piece) fragment.append(index % 2 === 1 ? `:${piece}:` : piece);
    });
    return fragment;
  }

  function textObject(object) {
    if (!object) return document.createDocumentFragment();
    if (typeof object === "string") return mrkdwn(object);
    const node = object.type === "mrkdwn" ? mrkdwn(object.text) : plain(object);
    return h("span", { "data-text": object.type || "plain_text" }, node);
  }

  const plainString = (object) => (object && typeof object === "object" ? String(object.text ?? "") : String(object ?? ""));

  // ---------------------------------------------------------------- Block Kit

  /** Where a block's actions go: {container, surface: "message"|"ephemeral"|"view", viewId, values?} */
  function renderBlocks(blocks, where) {
    const list = h("div", { class: "blocks" });
    (blocks || []).forEach((block, index) => {
      try {
        list.append(renderBlock(block, index, where));
      } catch (error) {
        list.append(h("div", { class: "block block-broken", "data-block": block && block.type }, `This block could not be shown: ${error.message}`));
      }
    });
    return list;
  }

  function blockId(block, index) {
    return block.block_id || `b${index}`; // Slack makes one up when the app gives none
  }

  function renderBlock(block, index, where) {
    const id = blockId(block, index);
    const base = { class: `block block-${block.type}`, "data-block": block.type, "data-block-id": id };
    switch (block.type) {
      case "header":
        return h("div", base, h("h3", { class: "block-header-text" }, plain(block.text)));
      case "divider":
        return h("hr", base);
      case "section": {
        const node = h("div", base);
        const main = h("div", { class: "section-main" });
        if (block.text) main.append(h("div", { class: "section-text" }, textObject(block.text)));
        if (block.fields && block.fields.length) {
          main.append(h("div", { class: "section-fields" }, block.fields.map((field) => h("div", { class: "section-field" }, textObject(field)))));
        }
        node.append(main);
        if (block.accessory) node.append(h("div", { class: "section-accessory" }, renderElement(block.accessory, block, id, where)));
        return node;
      }
      case "context":
        return h("div", base, (block.elements || []).map((element) =>
          element.type === "image"
            ? image(element, "context-image")
            : h("span", { class: "context-item" }, textObject(element))));
      case "image":
        return h("figure", base,
          block.title ? h("figcaption", {}, plain(block.title)) : null,
          image(block, "block-image-img"));
      case "actions":
        return h("div", base, (block.elements || []).map((element) => h("div", { class: "actions-item" }, renderElement(element, block, id, where))));
      case "input":
        return inputBlock(block, id, where);
      case "rich_text":
        return h("div", base, richText(block.elements || []));
      default:
        return h("div", { ...base, class: "block block-unknown" }, `[${block.type} block]`);
    }
  }

  function image(object, className) {
    const url = String(object.image_url || (object.slack_file && object.slack_file.url) || "");
    if (!(SAFE_FILE.test(url) || /^data:image\//i.test(url))) return h("span", { class: "image-missing", "data-element": "image" }, `[image: ${object.alt_text || ""}]`);
    return h("img", { class: className, src: url, alt: object.alt_text || "", loading: "lazy", referrerpolicy: "no-referrer", "data-element": "image" });
  }

  function richText(elements) {
    return elements.map((section) => h("div", { class: "rich-text" }, (section.elements || []).map((item) => {
      if (item.type === "text") return item.text;
      if (item.type === "link") return SAFE_URL.test(item.url) ? h("a", { href: item.url, target: "_blank", rel: "noopener noreferrer" }, item.text || item.url) : item.text || item.url;
      if (item.type === "user") return angleToken(`@${item.user_id}`);
      if (item.type === "emoji") return emoji(item.name) || `:${item.name}:`;
      if (item.elements) return richText([item]);
      return "";
    })));
  }

  function inputBlock(block, id, where) {
    const element = block.element || {};
    const control = nextId("input");
    const errors = where.errors || {};
    const error = errors[id];
    const grouped = ["checkboxes", "radio_buttons"].includes(element.type);
    const labelText = [plain(block.label), block.optional ? h("span", { class: "optional" }, " (optional)") : null];
    const hintId = block.hint ? nextId("hint") : null;
    const errorId = error ? nextId("error") : null;
    const field = renderElement(element, block, id, { ...where, controlId: control, describedBy: [hintId, errorId].filter(Boolean).join(" ") || null, label: plainString(block.label) });
    const body = [
      grouped ? h("legend", { class: "input-label" }, labelText) : h("label", { class: "input-label", for: control }, labelText),
      field,
      block.hint ? h("div", { class: "input-hint", id: hintId }, plain(block.hint)) : null,
      error ? h("div", { class: "input-error", id: errorId, role: "alert" }, plainText(error)) : null,
    ];
    return h(grouped ? "fieldset" : "div", { class: `block block-input${error ? " has-error" : ""}`, "data-block": "input", "data-block-id": id }, body);
  }

  // ---- values kept per view, as Slack keeps what a person typed across views.update

  function initialValue(element) {
    const type = element.type;
    switch (type) {
      case "plain_text_input": case "number_input": case "email_text_input": case "url_text_input":
        return { type, value: element.initial_value ?? null };
      case "static_select": case "external_select": case "radio_buttons":
        return { type, selected_option: element.initial_option ?? null };
      case "users_select": return { type, selected_user: element.initial_user ?? null };
      case "conversations_select": return { type, selected_conversation: element.initial_conversation ?? null };
      case "channels_select": return { type, selected_channel: element.initial_channel ?? null };
      case "multi_static_select": case "multi_external_select": case "checkboxes":
        return { type, selected_options: element.initial_options ?? [] };
      case "multi_users_select": return { type, selected_users: element.initial_users ?? [] };
      case "datepicker": return { type, selected_date: element.initial_date ?? null };
      case "timepicker": return { type, selected_time: element.initial_time ?? null };
      case "datetimepicker": return { type, selected_date_time: element.initial_date_time ?? null };
      case "file_input": return { type, files: [] };
      default: return null;
    }
  }

  const valueKey = (blockIdText, actionId) => `${blockIdText}\u0000${actionId}`;

  function currentValue(element, id, where) {
    const kept = where.viewId && app.inputs.get(where.viewId);
    const mine = kept && kept.get(valueKey(id, element.action_id));
    if (mine && mine.type === element.type) return mine;
    if (where.local && where.local.has(valueKey(id, element.action_id))) return where.local.get(valueKey(id, element.action_id));
    return initialValue(element);
  }

  function keep(element, id, where, value) {
    if (where.viewId) {
      if (!app.inputs.has(where.viewId)) app.inputs.set(where.viewId, new Map());
      app.inputs.get(where.viewId).set(valueKey(id, element.action_id), value);
    } else if (where.local) {
      where.local.set(valueKey(id, element.action_id), value);
    }
  }

  /** Slack's view.state.values for a view's blocks: every input block, and stateful elements elsewhere. */
  function stateValues(view, viewId) {
    const values = {};
    const where = { viewId };
    (view.blocks || []).forEach((block, index) => {
      const id = blockId(block, index);
      const elements = block.type === "input" ? [block.element] : block.type === "actions" ? block.elements : block.accessory ? [block.accessory] : [];
      for (const element of elements || []) {
        if (!element || !element.action_id) continue;
        const value = initialValue(element) && currentValue(element, id, where);
        if (!value) continue;
        values[id] = values[id] || {};
        values[id][element.action_id] = value;
      }
    });
    return { values };
  }

  // ---- elements

  function renderElement(element, block, id, where) {
    const type = element.type;
    const inInput = block.type === "input";
    // In an input block only `dispatch_action` sends block actions; elsewhere every interaction does.
    const dispatches = !inInput || Boolean(block.dispatch_action);
    const attrs = { "data-element": type, "data-action-id": element.action_id || "" };
    const send = (extra) => {
      const action = { type, action_id: element.action_id, block_id: id, ...extra, action_ts: actionTs() };
      const go = () => blockAction(where, id, element.action_id, action);
      if (element.confirm) confirmDialog(element.confirm).then((yes) => yes && go());
      else go();
    };
    const change = (value, extra) => {
      keep(element, id, where, value);
      if (dispatches) send(extra);
    };
    const value = () => currentValue(element, id, where);
    const placeholder = plainString(element.placeholder);
    const controlId = inInput ? where.controlId : nextId("element");
    const described = inInput ? where.describedBy : null;
    const label = inInput ? null : placeholder || element.action_id;

    switch (type) {
      case "button": {
        const button = h("button", {
          ...attrs, type: "button", class: `button${element.style ? ` ${element.style}` : ""}`,
          onclick: () => send({ text: element.text, value: element.value, ...(element.style ? { style: element.style } : {}) }),
        }, plain(element.text));
        if (element.url && SAFE_URL.test(element.url)) {
          button.addEventListener("click", () => window.open(element.url, "_blank", "noopener"));
        }
        return button;
      }
      case "overflow": {
        const trigger = h("button", { ...attrs, type: "button", class: "button overflow", "aria-label": "More options", "aria-haspopup": "menu", "aria-expanded": "false" }, "⋯");
        trigger.addEventListener("click", () => menu(trigger, (element.options || []).map((option) => ({
          label: plain(option.text), description: option.description ? plainString(option.description) : null,
          onSelect: () => send({ selected_option: option }),
        })), "More options"));
        return trigger;
      }
      case "static_select":
      case "multi_static_select": {
        const multiple = type === "multi_static_select";
        const groups = element.option_groups || null;
        const all = groups ? groups.flatMap((group) => group.options || []) : element.options || [];
        const current = value();
        const chosen = new Set(multiple ? (current.selected_options || []).map((o) => o.value) : current.selected_option ? [current.selected_option.value] : []);
        const option = (o) => h("option", { value: o.value, selected: chosen.has(o.value) }, plainString(o.text));
        const select = h("select", { ...attrs, id: controlId, class: "select", multiple, "aria-describedby": described, "aria-label": label },
          multiple ? null : h("option", { value: "", selected: !chosen.size }, placeholder || "Choose an option"),
          groups ? groups.map((group) => h("optgroup", { label: plainString(group.label) }, (group.options || []).map(option)))
            : all.map(option));
        select.addEventListener("change", () => {
          const picked = [...select.selectedOptions].map((node) => all.find((o) => o.value === node.value)).filter(Boolean);
          if (multiple) change({ type, selected_options: picked }, { selected_options: picked });
          else change({ type, selected_option: picked[0] || null }, { selected_option: picked[0] || null });
        });
        return select;
      }
      case "users_select":
      case "multi_users_select": {
        const multiple = type === "multi_users_select";
        const current = value();
        const chosen = new Set(multiple ? current.selected_users || [] : current.selected_user ? [current.selected_user] : []);
        const select = h("select", { ...attrs, id: controlId, class: "select", multiple, "aria-describedby": described, "aria-label": label },
          multiple ? null : h("option", { value: "", selected: !chosen.size }, placeholder || "Choose a person"),
          people().map((p) => h("option", { value: p.id, selected: chosen.has(p.id) }, `${p.name}${p.title ? ` · ${p.title}` : ""}`)));
        select.addEventListener("change", () => {
          const picked = [...select.selectedOptions].map((node) => node.value).filter(Boolean);
          if (multiple) change({ type, selected_users: picked }, { selected_users: picked });
          else change({ type, selected_user: picked[0] || null }, { selected_user: picked[0] || null });
        });
        return select;
      }
      case "external_select":
      case "multi_external_select":
        return externalSelect(element, id, where, { attrs, controlId, described, label, placeholder, change });
      case "conversations_select":
      case "channels_select": {
        const key = type === "channels_select" ? "selected_channel" : "selected_conversation";
        const current = value()[key];
        const select = h("select", { ...attrs, id: controlId, class: "select", "aria-describedby": described, "aria-label": label },
          h("option", { value: "" }, placeholder || "Choose a conversation"),
          (app.state.conversations || []).map((c) => h("option", { value: c.id, selected: c.id === current }, c.kind === "channel" ? `#${c.name}` : c.name)));
        select.addEventListener("change", () => change({ type, [key]: select.value || null }, { [key]: select.value || null }));
        return select;
      }
      case "plain_text_input":
      case "email_text_input":
      case "url_text_input":
      case "number_input": {
        const multiline = Boolean(element.multiline);
        const kind = { email_text_input: "email", url_text_input: "url", number_input: "number" }[type] || "text";
        const current = value().value;
        const field = h(multiline ? "textarea" : "input", {
          ...attrs, id: controlId, class: "text-input", "aria-describedby": described, "aria-label": label,
          type: multiline ? null : kind, placeholder: placeholder || null,
          maxlength: element.max_length || null, minlength: element.min_length || null,
          min: element.min_value ?? null, max: element.max_value ?? null,
          step: type === "number_input" ? (element.is_decimal_allowed ? "any" : "1") : null,
          inputmode: type === "number_input" ? (element.is_decimal_allowed ? "decimal" : "numeric") : null,
          rows: multiline ? 4 : null,
        });
        field.value = current ?? "";
        field.addEventListener("input", () => keep(element, id, where, { type, value: field.value === "" ? null : field.value }));
        if (dispatches) {
          field.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && (!multiline || event.metaKey || event.ctrlKey)) {
              event.preventDefault();
              send({ value: field.value });
            }
          });
        }
        return field;
      }
      case "datepicker":
      case "timepicker":
      case "datetimepicker": {
        const current = value();
        const kind = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local" }[type];
        const field = h("input", { ...attrs, id: controlId, class: "text-input picker", type: kind, "aria-describedby": described, "aria-label": label || type });
        if (type === "datepicker") field.value = current.selected_date || "";
        if (type === "timepicker") field.value = current.selected_time || "";
        if (type === "datetimepicker" && current.selected_date_time) field.value = localDateTime(current.selected_date_time);
        field.addEventListener("change", () => {
          if (type === "datepicker") change({ type, selected_date: field.value || null }, { selected_date: field.value || null });
          if (type === "timepicker") change({ type, selected_time: field.value || null }, { selected_time: field.value || null });
          if (type === "datetimepicker") {
            const seconds = field.value ? Math.floor(new Date(field.value).getTime() / 1000) : null;
            change({ type, selected_date_time: seconds }, { selected_date_time: seconds });
          }
        });
        return field;
      }
      case "checkboxes":
      case "radio_buttons": {
        const radio = type === "radio_buttons";
        const current = value();
        const chosen = new Set(radio ? (current.selected_option ? [current.selected_option.value] : []) : (current.selected_options || []).map((o) => o.value));
        const name = nextId("choice");
        const group = h("div", { ...attrs, class: "choices", role: radio ? "radiogroup" : "group", id: controlId, "aria-describedby": described, "aria-label": label });
        for (const option of element.options || []) {
          const box = h("input", { type: radio ? "radio" : "checkbox", name, value: option.value, checked: chosen.has(option.value) });
          box.addEventListener("change", () => {
            const picked = [...group.querySelectorAll("input")].filter((node) => node.checked).map((node) => element.options.find((o) => o.value === node.value));
            if (radio) change({ type, selected_option: picked[0] || null }, { selected_option: picked[0] || null });
            else change({ type, selected_options: picked }, { selected_options: picked });
          });
          group.append(h("label", { class: "choice" }, box, h("span", {}, textObject(option.text),
            option.description ? h("small", { class: "choice-description" }, textObject(option.description)) : null)));
        }
        return group;
      }
      case "file_input": {
        const names = h("ul", { class: "file-names", "aria-live": "polite" });
        const field = h("input", {
          ...attrs, id: controlId, class: "file-input", type: "file", multiple: (element.max_files || 10) > 1,
          accept: (element.filetypes || []).map((t) => `.${t}`).join(",") || null, "aria-describedby": described, "aria-label": label,
        });
        field.addEventListener("change", async () => {
          const chosen = [...field.files].slice(0, element.max_files || 10);
          clear(names).append(...chosen.map((file) => h("li", {}, `📎 ${file.name} (${Math.ceil(file.size / 1024)} KB) — uploading…`)));
          const uploaded = (await Promise.all(chosen.map(upload))).filter(Boolean);
          clear(names).append(...uploaded.map((file) => h("li", { "data-file-id": file.id }, `📎 ${file.name} (${Math.ceil(file.size / 1024)} KB)`)));
          keep(element, id, where, { type, files: uploaded });
        });
        return h("div", { class: "file-field" }, field, names);
      }
      case "image":
        return image(element, "accessory-image");
      default:
        return h("span", { ...attrs, class: "element-unknown" }, `[${type}]`);
    }
  }

  function localDateTime(seconds) {
    const d = new Date(Number(seconds) * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  /** A type-ahead whose options come from the bot (POST options), debounced, after min_query_length characters. */
  function externalSelect(element, id, where, { attrs, controlId, described, label, placeholder, change }) {
    const multiple = element.type === "multi_external_select";
    const minimum = element.min_query_length ?? 3;
    const current = currentValue(element, id, where);
    let chosen = multiple ? [...(current.selected_options || [])] : current.selected_option ? [current.selected_option] : [];
    const listId = nextId("options");
    const wrapper = h("div", { ...attrs, class: "external-select" });
    const chips = h("div", { class: "chips" });
    const field = h("input", {
      id: controlId, class: "text-input", type: "text", role: "combobox", autocomplete: "off",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId, "aria-describedby": described,
      "aria-label": label, placeholder: placeholder || "Type to search",
    });
    const list = h("ul", { class: "options", id: listId, role: "listbox", hidden: true });
    let timer = null;
    let asked = 0;
    let active = -1;

    const showChosen = () => {
      clear(chips);
      if (multiple) {
        chosen.forEach((option, index) => chips.append(h("span", { class: "chip" }, plain(option.text),
          h("button", { type: "button", "aria-label": `Remove ${plainString(option.text)}`, onclick: () => { chosen.splice(index, 1); commit(); } }, "×"))));
      } else {
        field.value = chosen[0] ? plainString(chosen[0].text) : "";
      }
    };
    const commit = () => {
      showChosen();
      if (multiple) change({ type: element.type, selected_options: chosen }, { selected_options: chosen });
      else change({ type: element.type, selected_option: chosen[0] || null }, { selected_option: chosen[0] || null });
    };
    const close = () => { list.hidden = true; field.setAttribute("aria-expanded", "false"); active = -1; };
    const pick = (option) => {
      if (multiple) { if (!chosen.some((o) => o.value === option.value)) chosen.push(option); field.value = ""; }
      else chosen = [option];
      close();
      commit();
    };
    const show = (answer) => {
      clear(list);
      const items = [];
      const add = (option) => {
        const item = h("li", { role: "option", id: nextId("option"), class: "option", "aria-selected": "false" }, plain(option.text));
        item.addEventListener("mousedown", (event) => { event.preventDefault(); pick(option); });
        items.push([item, option]);
        return item;
      };
      if (answer.option_groups) {
        for (const group of answer.option_groups) {
          list.append(h("li", { class: "option-group", role: "presentation" }, plain(group.label)));
          (group.options || []).forEach((o) => list.append(add(o)));
        }
      }
      (answer.options || []).forEach((o) => list.append(add(o)));
      if (!items.length) list.append(h("li", { class: "option-empty" }, "No results"));
      list.items = items;
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
    };
    const ask = async () => {
      if (!field.isConnected) return; // its form was sent, closed or redrawn before the typing paused
      const query = field.value;
      if (query.length < minimum) { close(); return; }
      if (!where.viewId) { toast("Type-ahead works in modals only in this sandbox"); return; }
      const number = ++asked;
      const answer = await act("options", { view_id: where.viewId, block_id: id, action_id: element.action_id, value: query });
      if (number !== asked || !answer.ok) return;
      show(answer);
    };
    field.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 250); });
    field.addEventListener("focus", () => { if (minimum === 0 && list.hidden) { clearTimeout(timer); timer = setTimeout(ask, 0); } });
    field.addEventListener("blur", () => setTimeout(() => { close(); if (!multiple) showChosen(); }, 150));
    field.addEventListener("keydown", (event) => {
      const items = list.items || [];
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { ask(); return; }
        if (!items.length) return;
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        items.forEach(([node], at) => node.setAttribute("aria-selected", String(at === active)));
        field.setAttribute("aria-activedescendant", items[active][0].id);
        items[active][0].scrollIntoView({ block: "nearest" });
      } else if (event.key === "Enter" && !list.hidden && items[active]) {
        event.preventDefault();
        pick(items[active][1]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });
    showChosen();
    wrapper.append(chips, field, list);
    return wrapper;
  }

  function blockAction(where, id, actionId, action) {
    const body = { container: where.container, block_id: id, action_id: actionId, action };
    if (where.view) body.state = stateValues(where.view, where.viewId);
    act("block_action", body);
  }

  // ---------------------------------------------------------------- rendering the app

  function avatar(userId, bot) {
    if (bot) return h("span", { class: "avatar bot", "aria-hidden": "true" }, "W");
    const who = person(userId);
    const initials = who ? who.initials || who.name.split(/\s+/).map((w) => w[0]).join("").slice(0, 2) : "?";
    return h("span", { class: "avatar", style: `--hue: ${hue(userId)}`, "aria-hidden": "true" }, initials);
  }

  function signature(name, value) {
    const text = JSON.stringify(value);
    if (app.signatures[name] === text) return false;
    app.signatures[name] = text;
    return true;
  }

  function render() {
    const state = app.state;
    const names = { people: state.people, conversations: state.conversations, now: state.now };
    chooseView();
    renderSwitcher();
    renderSidebar();
    const main = app.view.kind === "home"
      ? { view: app.view, home: state.home, names, me: app.me }
      : { view: app.view, messages: (state.messages || {})[app.view.id] || [], ephemeral: (state.ephemeral || []).filter((e) => e.channel === app.view.id), threads: threadCounts(), names, me: app.me };
    if (signature("main", main)) renderMain();
    const thread = app.thread ? { thread: app.thread, replies: (state.threads || {})[`${app.thread.channel}:${app.thread.ts}`] || [], parent: findMessage(app.thread.channel, app.thread.ts), names } : null;
    if (signature("thread", thread)) renderThread();
    // not redrawn as the clock ticks: a redraw closes an open list and a type-ahead's options
    const modal = (state.modals || []).length ? { top: state.modals[state.modals.length - 1], depth: state.modals.length, people: state.people, conversations: state.conversations } : null;
    if (signature("modal", modal)) renderModal();
    if (signature("calls", { calls: state.calls, show: app.showCalls })) renderCalls();
    if (app.view.kind === "home" && !app.homeOpened.has(app.me)) {
      app.homeOpened.add(app.me);
      act("home_opened", {});
    }
  }

  function threadCounts() {
    return Object.fromEntries(Object.entries(app.state.threads || {}).map(([key, replies]) => [key, replies.length]));
  }

  function findMessage(channel, ts) {
    return ((app.state.messages || {})[channel] || []).find((m) => m.ts === ts) || null;
  }

  function chooseView() {
    const conversations = app.state.conversations || [];
    if (app.view && app.view.kind === "conversation" && !conversations.some((c) => c.id === app.view.id)) app.view = null;
    if (!app.view) {
      const first = conversations.find((c) => c.kind === "channel") || conversations[0];
      app.view = first ? { kind: "conversation", id: first.id } : { kind: "home" };
    }
    if (app.thread && (app.view.kind !== "conversation" || app.thread.channel !== app.view.id)) app.thread = null;
  }

  function renderSwitcher() {
    if (!signature("switcher", { people: app.state.people, me: app.me })) return;
    const select = $("person");
    clear(select).append(...people().map((p) => h("option", { value: p.id, selected: p.id === app.me }, `${p.name}${p.title ? ` — ${p.title}` : ""}`)));
    clear($("me-avatar")).append(avatar(app.me));
  }

  function go(view) {
    app.view = view;
    app.thread = null;
    document.body.classList.remove("sidebar-open");
    $("menu-toggle").setAttribute("aria-expanded", "false");
    render();
    const focus = view.kind === "home" ? $("view-title") : $("composer-input");
    if (focus && !PHONE.matches) focus.focus();
  }

  function renderSidebar() {
    const state = app.state;
    if (!signature("sidebar", { c: state.conversations, view: app.view, now: state.now, calls: app.showCalls, n: (state.calls || []).length, v: violations() })) return;
    const item = (label, view, selected, unread, icon) => h("li", {},
      h("button", {
        type: "button", class: `nav-item${selected ? " selected" : ""}${unread ? " unread" : ""}`,
        "aria-current": selected ? "page" : null, onclick: () => go(view),
      }, h("span", { class: "nav-icon", "aria-hidden": "true" }, icon), h("span", { class: "nav-label" }, label),
      unread ? h("span", { class: "badge", "aria-label": `${unread} unread` }, String(unread)) : null));
    const channels = state.conversations.filter((c) => c.kind === "channel");
    const dms = state.conversations.filter((c) => c.kind !== "channel");
    const now = sandboxNow();
    const sidebar = clear($("sidebar-content"));
    sidebar.append(
      h("ul", { class: "nav" }, item("Home", { kind: "home" }, app.view.kind === "home", 0, "⌂")),
      h("h2", { class: "nav-heading" }, "Channels"),
      h("ul", { class: "nav" }, channels.map((c) => item(c.name, { kind: "conversation", id: c.id }, app.view.id === c.id, c.unread, "#"))),
      h("h2", { class: "nav-heading" }, "Direct messages"),
      h("ul", { class: "nav" }, dms.map((c) => item(c.name, { kind: "conversation", id: c.id }, app.view.id === c.id, c.unread, "●"))),
      h("section", { class: "clock", "aria-label": "Sandbox clock" },
        h("h2", { class: "nav-heading" }, "Sandbox time"),
        h("div", { class: "clock-now", "data-now": state.now },
          now.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" }), h("br"),
          h("strong", {}, now.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }))),
        h("div", { class: "clock-buttons" },
          [["1h", "+1 hour"], ["1d", "+1 day"], ["digest", "Next digest"]].map(([advance, text]) =>
            h("button", { type: "button", class: "button small", "data-advance": advance, onclick: () => act("clock", { advance }) }, text)))),
      h("div", { class: "calls-toggle" },
        h("label", {}, h("input", { type: "checkbox", id: "show-calls", checked: app.showCalls, onchange: (event) => { app.showCalls = event.target.checked; render(); } }),
          ` Web API calls (${(state.calls || []).length})`,
          violations() ? h("span", { class: "badge danger", title: "payloads that break a Slack rule" }, String(violations())) : null)),
    );
  }

  const violations = () => (app.state.calls || []).filter((c) => (c.violations || []).length || !c.ok).length;

  function timeOf(message) {
    const seconds = Number(String(message.ts || "").split(".")[0]);
    const at = message.at && !/^\d+(\.\d+)?$/.test(message.at) ? new Date(message.at) : new Date((Number(message.at) || seconds) * 1000);
    return at;
  }

  function shortTime(at) {
    const time = at.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
    const days = dayDistance(at);
    if (days === 0) return time;
    if (days === -1) return `Yesterday ${time}`;
    return `${at.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}`;
  }

  function renderMain() {
    const header = clear($("view-header"));
    const body = clear($("view-body"));
    const composer = $("composer");
    if (app.view.kind === "home") {
      header.append(h("h1", { id: "view-title", tabindex: "-1" }, h("span", { class: "avatar bot small", "aria-hidden": "true" }, "W"), "Wrench · Home"));
      composer.hidden = true;
      const home = app.state.home && app.state.home.view;
      if (!home) {
        body.append(h("p", { class: "empty" }, "Wrench has not published a Home tab for this person yet."));
        return;
      }
      const viewId = home.id || app.state.home.view_id || "home";
      body.append(h("div", { class: "home", "data-surface": "home" }, renderBlocks(home.blocks, { container: { type: "view", view_id: viewId }, viewId, view: home, surface: "home" })));
      return;
    }
    const where = conversation(app.view.id);
    header.append(h("h1", { id: "view-title", tabindex: "-1" }, where.kind === "channel" ? `# ${where.name}` : where.name));
    composer.hidden = false;
    $("composer-input").setAttribute("aria-label", `Message ${where.kind === "channel" ? "#" : ""}${where.name}`);
    $("composer-input").placeholder = `Message ${where.kind === "channel" ? "#" : ""}${where.name} — type / for commands`;
    const list = h("ol", { class: "messages", "aria-label": "Messages" });
    const items = [
      ...((app.state.messages || {})[app.view.id] || []).map((m) => ({ at: timeOf(m), node: () => messageNode(m, app.view.id, false) })),
      ...(app.state.ephemeral || []).filter((e) => e.channel === app.view.id).map((e) => ({ at: timeOf(e), node: () => ephemeralNode(e) })),
    ].sort((a, b) => a.at - b.at);
    if (!items.length) list.append(h("li", { class: "empty" }, "No messages yet."));
    for (const item of items) list.append(item.node());
    const stick = body.dataset.channel !== app.view.id || body.scrollHeight - body.scrollTop - body.clientHeight < 80;
    body.append(list);
    body.dataset.channel = app.view.id;
    if (stick) {
      body.scrollTop = body.scrollHeight;
      body.querySelectorAll("img").forEach((img) => img.addEventListener("load", () => { body.scrollTop = body.scrollHeight; }, { once: true }));
    }
  }

  function sender(message) {
    if (message.bot) return h("span", { class: "sender" }, "Wrench", h("span", { class: "app-badge" }, "APP"));
    const who = person(message.user);
    return h("span", { class: "sender" }, who ? who.name : message.user || "Someone");
  }

  function messageNode(message, channel, inThread) {
    const container = { type: "message", channel, ts: message.ts };
    const at = timeOf(message);
    const node = h("li", { class: "message", "data-ts": message.ts, tabindex: "-1" });
    const content = h("div", { class: "message-content" },
      h("div", { class: "message-meta" }, sender(message), h("time", { class: "message-time", datetime: at.toISOString() }, shortTime(at))),
      message.blocks && message.blocks.length
        ? renderBlocks(message.blocks, { container, surface: "message", local: new Map() })
        : h("div", { class: "message-text", "data-text": "mrkdwn" }, mrkdwn(message.text || "")),
      files(message.files),
      reactions(message, channel),
      !inThread && (message.reply_count || 0) > 0
        ? h("button", { type: "button", class: "reply-count", onclick: () => openThread(channel, message.ts) },
          `${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}`)
        : null);
    node.append(avatar(message.user, message.bot), content, messageActions(message, channel, inThread, node));
    node.addEventListener("click", (event) => {
      if (PHONE.matches && !event.target.closest("button, a, input, select, textarea")) {
        document.querySelectorAll(".message.active").forEach((other) => other !== node && other.classList.remove("active"));
        node.classList.toggle("active");
      }
    });
    return node;
  }

  function files(list) {
    if (!list || !list.length) return null;
    return h("div", { class: "files" }, list.map((file) => {
      const url = String(file.url || "");
      const safe = SAFE_FILE.test(url);
      if (safe && /\.(png|jpe?g|gif|svg|webp)(\?|$)/i.test(file.name || url)) {
        return h("a", { class: "file image-file", href: url, target: "_blank", rel: "noopener noreferrer" }, h("img", { src: url, alt: file.name || "image", loading: "lazy" }), h("span", {}, file.name));
      }
      return safe ? h("a", { class: "file", href: url, target: "_blank", rel: "noopener noreferrer" }, `📎 ${file.name || url}`) : h("span", { class: "file" }, `📎 ${file.name || ""}`);
    }));
  }

  function reactions(message, channel) {
    const list = message.reactions || [];
    if (!list.length) return null;
    return h("div", { class: "reactions" }, list.map((reaction) => h("button", {
      type: "button", class: `reaction${reaction.mine ? " mine" : ""}`, "aria-pressed": String(Boolean(reaction.mine)),
      "aria-label": `${reaction.name} reaction, ${reaction.count}`, "data-reaction": reaction.name,
      onclick: () => act("react", { channel, ts: message.ts, name: reaction.name }),
    }, emoji(reaction.name) || `:${reaction.name}:`, ` ${reaction.count}`)));
  }

  function messageActions(message, channel, inThread) {
    const shortcuts = (app.state.shortcuts || []).filter((s) => s.type === "message");
    const more = h("button", { type: "button", class: "icon-button", "aria-label": "More actions", "aria-haspopup": "menu", "aria-expanded": "false", title: "More actions" }, "⋯");
    more.addEventListener("click", () => menu(more, [
      ...shortcuts.map((s) => ({ label: s.name, description: "Wrench", onSelect: () => act("message_shortcut", { callback_id: s.callback_id, channel, ts: message.ts }) })),
      ...(!inThread ? [{ label: "Reply in thread", onSelect: () => openThread(channel, message.ts) }] : []),
    ], "Message actions"));
    return h("div", { class: "message-actions", role: "toolbar", "aria-label": "Message actions" },
      h("button", { type: "button", class: "icon-button", title: "React with :ticket:", "aria-label": "React with ticket", "data-react": "ticket", onclick: () => act("react", { channel, ts: message.ts, name: "ticket" }) }, emoji("ticket")),
      !inThread ? h("button", { type: "button", class: "icon-button", title: "Reply in thread", "aria-label": "Reply in thread", onclick: () => openThread(channel, message.ts) }, "💬") : null,
      more);
  }

  function ephemeralNode(ephemeral) {
    const at = timeOf(ephemeral);
    return h("li", { class: "message ephemeral", "data-ephemeral": ephemeral.id },
      avatar(null, true),
      h("div", { class: "message-content" },
        h("div", { class: "message-meta" }, sender({ bot: true }), h("time", { class: "message-time" }, shortTime(at)), h("span", { class: "only-you" }, "Only visible to you")),
        ephemeral.blocks && ephemeral.blocks.length
          ? renderBlocks(ephemeral.blocks, { container: { type: "ephemeral", id: ephemeral.id }, surface: "ephemeral", local: new Map() })
          : h("div", { class: "message-text", "data-text": "mrkdwn" }, mrkdwn(ephemeral.text || ""))));
  }

  function openThread(channel, ts) {
    app.thread = { channel, ts };
    render();
    const input = $("thread-input");
    if (input && !PHONE.matches) input.focus();
  }

  function renderThread() {
    const pane = $("thread");
    if (!app.thread) { pane.hidden = true; document.body.classList.remove("thread-open"); return; }
    pane.hidden = false;
    document.body.classList.add("thread-open");
    const { channel, ts } = app.thread;
    const parent = findMessage(channel, ts);
    const replies = (app.state.threads || {})[`${channel}:${ts}`] || [];
    const body = clear($("thread-body"));
    const list = h("ol", { class: "messages thread-messages", "aria-label": "Thread" });
    if (parent) list.append(messageNode(parent, channel, true));
    list.append(h("li", { class: "thread-divider" }, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`));
    replies.forEach((reply) => list.append(messageNode(reply, channel, true)));
    body.append(list);
    body.scrollTop = body.scrollHeight;
    const where = conversation(channel);
    $("thread-where").textContent = where ? (where.kind === "channel" ? `#${where.name}` : where.name) : "";
  }

  // ---- modals

  let modalReturnFocus = null;

  function renderModal() {
    const root = $("modal-root");
    const modals = app.state.modals || [];
    const top = modals[modals.length - 1];
    const focused = document.activeElement && root.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    clear(root);
    document.body.classList.toggle("modal-open", Boolean(top));
    if (!top) {
      if (modalReturnFocus && document.contains(modalReturnFocus)) modalReturnFocus.focus();
      modalReturnFocus = null;
      return;
    }
    if (!modalReturnFocus) modalReturnFocus = document.activeElement;
    const view = top.view || {};
    const viewId = top.view_id || view.id;
    // forget what was typed into views that are gone
    for (const key of app.inputs.keys()) if (!modals.some((m) => (m.view_id || m.view.id) === key)) app.inputs.delete(key);
    const errors = { ...(top.errors || {}), ...(app.submitErrors.get(viewId) || {}) };
    const titleId = nextId("modal-title");
    const where = { container: { type: "view", view_id: viewId }, viewId, view, surface: "view", errors };
    const form = h("form", { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, "data-view-id": viewId, novalidate: true },
      h("header", { class: "modal-header" },
        modals.length > 1 ? h("span", { class: "modal-depth", title: "Views stacked on this one" }, `${modals.length} views`) : null,
        h("h2", { id: titleId }, plain(view.title, "Wrench")),
        h("button", { type: "button", class: "icon-button modal-x", "aria-label": "Close", onclick: () => closeModal(viewId) }, "×")),
      h("div", { class: "modal-body" }, renderBlocks(view.blocks, where)),
      h("footer", { class: "modal-footer" },
        h("button", { type: "button", class: "button", "data-modal": "close", onclick: () => closeModal(viewId) }, plain(view.close, view.submit ? "Cancel" : "Close")),
        view.submit ? h("button", { type: "submit", class: "button primary", "data-modal": "submit" }, plain(view.submit)) : null));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("[data-modal=submit]");
      if (button) button.disabled = true;
      const answer = await act("view_submit", { view_id: viewId, state: stateValues(view, viewId) });
      if (button) button.disabled = false;
      if (answer.ok && answer.errors) {
        app.submitErrors.set(viewId, answer.errors);
        app.signatures.modal = null;
        renderModal();
      }
    });
    const backdrop = h("div", { class: "backdrop" }, form);
    backdrop.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented) { event.preventDefault(); closeModal(viewId); }
      trapFocus(event, form);
    });
    root.append(backdrop);
    const again = focused && form.querySelector(focused);
    const first = again || form.querySelector("[aria-invalid=true], .has-error input, .has-error select, .has-error textarea") ||
      form.querySelector(".modal-body input, .modal-body select, .modal-body textarea, .modal-body button") || form.querySelector("button");
    for (const block of form.querySelectorAll(".has-error")) block.querySelectorAll("input, select, textarea").forEach((n) => n.setAttribute("aria-invalid", "true"));
    if (first) first.focus({ preventScroll: Boolean(again) });
  }

  function focusKey(node) {
    const block = node.closest("[data-block-id]");
    const element = node.closest("[data-action-id]");
    if (block && element) return `[data-block-id="${CSS.escape(block.dataset.blockId)}"] [data-action-id="${CSS.escape(element.dataset.actionId)}"]${element === node ? "" : ` ${node.tagName.toLowerCase()}`}`;
    return null;
  }

  function closeModal(viewId) {
    act("view_close", { view_id: viewId });
  }

  // ---- calls panel

  function renderCalls() {
    const pane = $("calls");
    pane.hidden = !app.showCalls;
    document.body.classList.toggle("calls-open", app.showCalls);
    if (!app.showCalls) return;
    const calls = app.state.calls || [];
    const list = clear($("calls-list"));
    if (!calls.length) list.append(h("li", { class: "empty" }, "No calls yet."));
    for (const call of calls) {
      const broken = (call.violations || []).length > 0;
      list.append(h("li", { class: `call${call.ok ? "" : " failed"}${broken ? " violation" : ""}`, "data-call": call.method },
        h("code", { class: "call-method" }, call.method),
        h("span", { class: "call-result" }, call.ok ? "ok" : `error: ${call.error || "failed"}`),
        broken ? h("ul", { class: "call-violations" }, call.violations.map((v) => h("li", {}, `⚠ ${v}`))) : null));
    }
    $("calls-summary").textContent = `${calls.length} calls · ${calls.filter((c) => (c.violations || []).length).length} breaking a Slack rule`;
    list.scrollTop = list.scrollHeight;
  }

  // ---------------------------------------------------------------- composer

  function setupComposer() {
    const input = $("composer-input");
    const popup = $("command-popup");
    const hint = $("command-hint");
    let active = 0;
    let matches = [];

    const commands = () => (app.state && app.state.commands) || [];
    const update = () => {
      const text = input.value;
      const typing = /^\/\S*$/.exec(text);
      matches = typing ? commands().filter((c) => c.command.startsWith(typing[0])) : [];
      clear(popup);
      popup.hidden = !matches.length;
      input.setAttribute("aria-expanded", String(!popup.hidden));
      active = Math.min(active, Math.max(0, matches.length - 1));
      matches.forEach((command, at) => {
        const item = h("li", { role: "option", id: `command-${at}`, class: `command${at === active ? " active" : ""}`, "aria-selected": String(at === active) },
          h("strong", {}, command.command), command.usage_hint ? h("span", { class: "usage" }, ` ${command.usage_hint}`) : null,
          h("small", {}, command.description || ""));
        item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(command); });
        popup.append(item);
      });
      if (matches.length) input.setAttribute("aria-activedescendant", `command-${active}`);
      else input.removeAttribute("aria-activedescendant");
      const started = /^(\/\S+)\s/.exec(text);
      const known = started && commands().find((c) => c.command === started[1]);
      hint.textContent = known && known.usage_hint ? `${known.command} ${known.usage_hint}` : "";
      hint.hidden = !hint.textContent;
    };
    const choose = (command) => {
      input.value = `${command.command} `;
      update();
      input.focus();
    };
    const send = async () => {
      const text = input.value.trim();
      if (!text || !app.view || app.view.kind !== "conversation") return;
      const channel = app.view.id;
      const slash = /^(\/\S+)(?:\s+([\s\S]*))?$/.exec(text);
      input.value = "";
      update();
      let answer;
      if (slash) {
        if (!commands().some((c) => c.command === slash[1])) {
          toast(`${slash[1]} is not a command Wrench has. Try ${commands().map((c) => c.command).join(" or ")}.`, "error");
          input.value = text;
          return;
        }
        answer = await act("command", { channel, command: slash[1], text: slash[2] || "" });
      } else {
        answer = await act("message", { channel, text });
      }
      if (!answer.ok && !input.value) input.value = text;
    };
    input.addEventListener("input", update);
    input.addEventListener("keydown", (event) => {
      if (!popup.hidden && matches.length) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          active = (active + (event.key === "ArrowDown" ? 1 : -1) + matches.length) % matches.length;
          update();
          return;
        }
        if (event.key === "Tab" || (event.key === "Enter" && !event.shiftKey && input.value.trim() !== matches[active].command)) {
          event.preventDefault();
          choose(matches[active]);
          return;
        }
        if (event.key === "Escape") { event.preventDefault(); popup.hidden = true; return; }
      }
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
    });
    // Closed a moment after the composer loses focus (a click on an item lands first), unless it has focus
    // again by then: typing "/" right after clicking elsewhere must not have its popup closed by that blur.
    input.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement === input) return;
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }, 150));
    $("composer").addEventListener("submit", (event) => { event.preventDefault(); send(); });
    const lightning = $("shortcuts-button");
    lightning.addEventListener("click", () => menu(lightning,
      ((app.state && app.state.shortcuts) || []).filter((s) => s.type === "global").map((s) => ({
        label: s.name, description: "Wrench", onSelect: () => act("shortcut", { callback_id: s.callback_id }),
      })), "Shortcuts"));

    const threadInput = $("thread-input");
    const reply = async () => {
      const text = threadInput.value.trim();
      if (!text || !app.thread) return;
      threadInput.value = "";
      const answer = await act("message", { channel: app.thread.channel, text, thread_ts: app.thread.ts });
      if (!answer.ok && !threadInput.value) threadInput.value = text;
    };
    threadInput.addEventListener("keydown", (event) => { if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); reply(); } });
    $("thread-composer").addEventListener("submit", (event) => { event.preventDefault(); reply(); });
    $("thread-close").addEventListener("click", () => { app.thread = null; render(); });
  }

  // ---------------------------------------------------------------- start

  function start() {
    $("person").addEventListener("change", (event) => {
      app.me = event.target.value;
      localStorage.setItem(STORE_KEY, app.me);
      app.thread = null;
      app.signatures = {};
      closeMenu();
      refresh();
    });
    $("menu-toggle").addEventListener("click", () => {
      const open = document.body.classList.toggle("sidebar-open");
      $("menu-toggle").setAttribute("aria-expanded", String(open));
    });
    $("calls-close").addEventListener("click", () => { app.showCalls = false; render(); });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !document.body.classList.contains("modal-open")) {
        if (openMenu) closeMenu();
        else if (document.body.classList.contains("sidebar-open")) document.body.classList.remove("sidebar-open");
      }
    });
    setupComposer();
    refresh();
    listen();
  }

  // Exposed for tests and for people poking at the sandbox from the console.
  window.wrenchSandbox = { mrkdwn, renderBlocks, stateValues, refresh, app };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
