/* jmap interactive map: tooltips, lane and persona toggles, zoom and pan, stage links.
   The same script for every map: the page's Content-Security-Policy allows it by hash.
   Map text arrives only through the JSON island #jmap-data and is placed with
   textContent, never parsed as HTML. */
(function () {
  "use strict";
  var doc = document;
  var island = doc.getElementById("jmap-data");
  var viewport = doc.getElementById("jmap-viewport");
  var tip = doc.getElementById("jmap-tip");
  var svg = viewport && viewport.querySelector("svg");
  if (!island || !svg || !tip) return;
  var data = JSON.parse(island.textContent);
  var cards = data.cards || {};
  var sources = data.sources || {};
  var has = Object.prototype.hasOwnProperty;

  function make(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
      node.dir = "auto"; // map text may be right-to-left
    }
    return node;
  }

  function attrSelector(name, value) {
    return "[" + name + '="' + (window.CSS && CSS.escape ? CSS.escape(value) : value) + '"]';
  }

  /* --- cards: focusable, with a tooltip on hover and on keyboard focus ------------------ */
  // A card's key in the island is its data-id (or, failing that, its element id); an
  // emotion point's is point:<persona>:<step or stage>.
  function keyOf(node) {
    if (node.classList.contains("point") && node.hasAttribute("data-persona")) {
      return "point:" + node.getAttribute("data-persona") + ":" +
        (node.getAttribute("data-step") || node.getAttribute("data-stage"));
    }
    return node.getAttribute("data-id") || node.getAttribute("id");
  }

  function infoOf(node) {
    var key = keyOf(node);
    return key && has.call(cards, key) ? cards[key] : null;
  }

  function cardOf(target) {
    for (var node = target; node && node !== svg; node = node.parentNode) {
      if (node.nodeType === 1 && infoOf(node)) return node;
    }
    return null;
  }

  svg.querySelectorAll("[data-id], [id], .point").forEach(function (card) {
    var info = infoOf(card);
    if (!info) return;
    card.classList.add("jmap-card");
    if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "0");
    if (!card.hasAttribute("role")) card.setAttribute("role", "group");
    if (!card.hasAttribute("aria-label")) card.setAttribute("aria-label", info.text);
    // The SVG's own <title>s would open a second, native tooltip over ours.
    card.querySelectorAll("title").forEach(function (title) { title.remove(); });
  });

  function fill(info) {
    tip.replaceChildren();
    var kicker = [info.lane, info.stage].filter(Boolean).join(" \u00b7 ");
    if (kicker) tip.appendChild(make("p", "kicker", kicker));
    tip.appendChild(make("p", "text", info.text));
    if (info.note) tip.appendChild(make("p", "note", info.note));
    if (info.facts && info.facts.length) {
      var list = make("dl");
      info.facts.forEach(function (fact) {
        list.appendChild(make("dt", null, fact[0]));
        list.appendChild(make("dd", null, fact[1]));
      });
      tip.appendChild(list);
    }
    var cited = (info.evidence || []).filter(function (id) { return has.call(sources, id); });
    if (cited.length) {
      if (info.inherited) tip.appendChild(make("p", "inherited", "Research cited by the stage:"));
      var evidence = make("ul", "evidence" + (info.inherited ? " of-stage" : ""));
      evidence.setAttribute("aria-label", "Evidence");
      cited.forEach(function (id) {
        var source = sources[id];
        var item = make("li");
        item.appendChild(make("span", "src", "[" + source.n + "] " + source.title));
        var what = [source.kind, source.date, source.sample].filter(Boolean).join(" \u00b7 ");
        if (what) {
          item.appendChild(doc.createTextNode(" "));
          item.appendChild(make("span", "what", what));
        }
        if (source.summary) item.appendChild(make("span", "summary", source.summary));
        evidence.appendChild(item);
      });
      tip.appendChild(evidence);
    } else if (info.assumption) {
      tip.appendChild(make("p", "assumption", "Assumption: this item cites no research."));
    }
  }

  function place(card) {
    var box = card.getBoundingClientRect();
    var width = doc.documentElement.clientWidth;
    var height = doc.documentElement.clientHeight;
    var gap = 10;
    var margin = 8;
    tip.hidden = false;
    var w = tip.offsetWidth;
    var h = tip.offsetHeight;
    var left = Math.min(Math.max(margin, box.left), width - w - margin);
    var top = box.bottom + gap;
    if (top + h > height - margin) top = box.top - gap - h;
    if (top < margin) {
      // Neither below nor above: beside the card, kept on screen.
      top = Math.min(Math.max(margin, box.top), height - h - margin);
      left = box.right + gap + w <= width - margin ? box.right + gap : Math.max(margin, box.left - gap - w);
    }
    tip.style.left = Math.round(left) + "px";
    tip.style.top = Math.round(top) + "px";
  }

  var active = null;

  function show(card) {
    if (active === card) return;
    hide();
    active = card;
    fill(infoOf(card));
    card.classList.add("jmap-active");
    card.setAttribute("aria-describedby", "jmap-tip");
    place(card);
  }

  function hide() {
    if (!active) return;
    active.classList.remove("jmap-active");
    active.removeAttribute("aria-describedby");
    active = null;
    tip.hidden = true;
  }

  svg.addEventListener("mouseover", function (event) {
    var card = cardOf(event.target);
    if (card && !viewport.classList.contains("dragging")) show(card);
  });
  svg.addEventListener("mouseout", function (event) {
    var card = cardOf(event.target);
    if (!card || card !== active || card.contains(event.relatedTarget)) return;
    if (doc.activeElement === card) return;
    hide();
    var focused = cardOf(doc.activeElement);
    if (focused) show(focused);
  });
  svg.addEventListener("focusin", function (event) {
    var card = cardOf(event.target);
    if (card) show(card);
  });
  svg.addEventListener("focusout", function (event) {
    if (cardOf(event.target) === active) hide();
  });
  doc.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
  function replace() {
    if (active) place(active);
  }
  viewport.addEventListener("scroll", replace, { passive: true });
  window.addEventListener("scroll", replace, { passive: true });
  window.addEventListener("resize", replace);

  /* --- lanes and personas ------------------------------------------------------------- */
  function toggler(attr) {
    return function (event) {
      var input = event.target;
      svg.querySelectorAll(attrSelector(attr, input.value)).forEach(function (node) {
        // A persona's card and avatar stay; only its curve and points are toggled.
        if (attr === "data-persona" && node.closest(".persona, .personas, .avatar, .legend")) return;
        node.classList.toggle("jmap-off", !input.checked);
      });
      if (active && active.closest(".jmap-off")) hide();
    };
  }
  doc.querySelectorAll("input[data-toggle=lane]").forEach(function (input) {
    input.addEventListener("change", toggler("data-lane"));
  });
  doc.querySelectorAll("input[data-toggle=persona]").forEach(function (input) {
    input.addEventListener("change", toggler("data-persona"));
  });

  /* --- zoom and pan ------------------------------------------------------------------- */
  var box = svg.viewBox && svg.viewBox.baseVal;
  var mapWidth = box && box.width ? box.width : svg.getBoundingClientRect().width;
  var mapHeight = box && box.height ? box.height : svg.getBoundingClientRect().height;
  var level = doc.getElementById("jmap-zoom-level");
  var zoom = 1;
  var MIN = 0.1;
  var MAX = 4;

  function setZoom(value, x, y) {
    value = Math.min(MAX, Math.max(MIN, value));
    if (x === undefined) {
      x = viewport.clientWidth / 2;
      y = viewport.clientHeight / 2;
    }
    var mapX = (viewport.scrollLeft + x) / zoom;
    var mapY = (viewport.scrollTop + y) / zoom;
    zoom = value;
    svg.style.width = mapWidth * zoom + "px";
    svg.style.height = mapHeight * zoom + "px";
    viewport.scrollLeft = mapX * zoom - x;
    viewport.scrollTop = mapY * zoom - y;
    if (level) level.textContent = Math.round(zoom * 100) + "%";
    replace();
  }

  function fitWidth() {
    return viewport.clientWidth / mapWidth;
  }

  var actions = {
    "zoom-in": function () { setZoom(zoom * 1.25); },
    "zoom-out": function () { setZoom(zoom / 1.25); },
    "zoom-reset": function () { setZoom(1); },
    "zoom-fit": function () {
      setZoom(fitWidth());
      viewport.scrollLeft = 0;
    }
  };
  doc.querySelectorAll("button[data-action]").forEach(function (button) {
    var action = actions[button.getAttribute("data-action")];
    if (action) button.addEventListener("click", action);
  });

  viewport.addEventListener("wheel", function (event) {
    if (!(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    var frame = viewport.getBoundingClientRect();
    setZoom(zoom * Math.exp(-event.deltaY * 0.002), event.clientX - frame.left, event.clientY - frame.top);
  }, { passive: false });

  viewport.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "+" || event.key === "=") actions["zoom-in"]();
    else if (event.key === "-") actions["zoom-out"]();
    else if (event.key === "0") actions["zoom-fit"]();
    else return;
    event.preventDefault();
  });

  var drag = null;
  viewport.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || event.pointerType === "touch") return;
    // Not on the scroll bars.
    var frame = viewport.getBoundingClientRect();
    if (event.clientX - frame.left > viewport.clientWidth || event.clientY - frame.top > viewport.clientHeight) return;
    drag = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop, id: event.pointerId, moved: false };
  });
  viewport.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.moved) {
      if (Math.abs(dx) + Math.abs(dy) < 5) return;
      drag.moved = true;
      viewport.setPointerCapture(drag.id);
      viewport.classList.add("dragging");
      hide();
    }
    viewport.scrollLeft = drag.left - dx;
    viewport.scrollTop = drag.top - dy;
    event.preventDefault();
  });
  function endDrag() {
    if (drag && drag.moved) {
      viewport.classList.remove("dragging");
      var selection = window.getSelection && window.getSelection();
      if (selection) selection.removeAllRanges();
    }
    drag = null;
  }
  viewport.addEventListener("pointerup", endDrag);
  viewport.addEventListener("pointercancel", endDrag);

  /* --- stage links: #stage-<id> and #step-<id> scroll the map to the column ------------- */
  svg.querySelectorAll("g.stage[data-stage], [data-stage]").forEach(function (node) {
    var id = "stage-" + node.getAttribute("data-stage");
    if (!doc.getElementById(id)) node.setAttribute("id", id);
  });

  function goToHash() {
    var hash = decodeURIComponent(location.hash.slice(1));
    if (hash.indexOf("stage-") !== 0 && hash.indexOf("step-") !== 0) return;
    var target = doc.getElementById(hash);
    if (!target || !svg.contains(target)) return;
    var frame = viewport.getBoundingClientRect();
    var where = target.getBoundingClientRect();
    viewport.scrollLeft += where.left - frame.left - 16;
    viewport.scrollTop += where.top - frame.top - 16;
    if (frame.top < 0 || frame.top > doc.documentElement.clientHeight / 2) viewport.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", goToHash);
  doc.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#stage-'], a[href^='#step-']");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var hash = link.getAttribute("href");
    if (!doc.getElementById(decodeURIComponent(hash.slice(1)))) return;
    event.preventDefault();
    if (location.hash !== hash) {
      try {
        history.pushState(null, "", hash);
      } catch (error) {
        location.hash = hash;
        return;
      }
    }
    goToHash();
  });

  /* --- menus (lanes, stages): close on Escape, on a click outside and after a jump ------- */
  var menus = doc.querySelectorAll("details.menu");
  doc.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      if (menu.open && (!menu.contains(event.target) || (link && menu.contains(link)))) menu.open = false;
    });
  });
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        if (menu.contains(doc.activeElement)) menu.querySelector("summary").focus();
      }
    });
  });

  /* --- start: fit the journey to the window when it is wider, but stay readable ---------- */
  setZoom(Math.min(1, Math.max(0.5, fitWidth())), 0, 0);
  viewport.scrollLeft = 0;
  viewport.scrollTop = 0;
  if (location.hash) goToHash();
  window.addEventListener("beforeprint", hide);
})();
