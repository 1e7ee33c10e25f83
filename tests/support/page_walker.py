"""The page walker: opens pages at a phone's and a desktop's size, in English and Swedish, and
lists what a person would trip over — a page that scrolls sideways, interactive elements lying
on top of each other, touch targets too small to hit on a warehouse handheld, a scan field out
of reach, text left in the other language, and axe-core's serious or critical violations.

The checks return readable problems instead of failing at the first one, so one run of the suite
names every broken page at once."""

import re
from functools import cache
from pathlib import Path

import polib

from .browser import ARTIFACTS, accessibility_problems

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = ("en", "sv")
CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"
# Smallest comfortable touch target (WCAG 2.5.5, Apple and Google's guidelines: 44 px).
TOUCH = 44

# What the browser measures. Interactive = what a finger or the keyboard can press.
MEASURE = r"""
({phone, warehouse, touch}) => {
  const problems = [];
  const INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const name = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.getAttribute("name") || "").trim().replace(/\s+/g, " ");
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> "${text.slice(0, 40)}"`;
  };
  const visible = (el) => {
    // Not rendered: display none, inside a closed <details>, content-visibility hidden.
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.opacity === "0") return false;
    // Off-screen by design (the skip link until it has focus, visually hidden labels).
    if (r.right < 0 || r.bottom < -window.scrollY) return false;
    if (s.clip === "rect(0px, 0px, 0px, 0px)" || s.clipPath === "inset(50%)") return false;
    return true;
  };
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return p;
    }
    return null;
  };
  // 1. The page itself never scrolls sideways.
  const width = document.documentElement.clientWidth;
  const overflow = document.documentElement.scrollWidth - width;
  if (overflow > 1) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !scroller(el) && visible(el))
      .filter((el, _, all) => !all.some((other) => other !== el && other.contains(el)))
      .slice(0, 4).map(name);
    problems.push(`the page scrolls sideways by ${overflow}px (too wide: ${wide.join(", ") || "?"})`);
  }
  // 2. On a phone nothing is cut off inside a box that scrolls sideways (a hidden column is a
  //    column nobody sees).
  if (phone) {
    for (const box of document.querySelectorAll("*")) {
      const o = getComputedStyle(box).overflowX;
      if ((o === "auto" || o === "scroll") && box.scrollWidth > box.clientWidth + 1 && visible(box))
        problems.push(`${name(box)} hides ${box.scrollWidth - box.clientWidth}px of its content sideways`);
    }
  }
  const targets = [...document.querySelectorAll(INTERACTIVE)].filter(visible);
  // 3. Nothing a person presses lies over another thing they press. A link that wraps onto
  //    two lines is two boxes (getClientRects), not the rectangle around both.
  const boxes = targets.map((el) => [...el.getClientRects()].filter((r) => r.width >= 1 && r.height >= 1));
  const overlap = (a, b) => [Math.min(a.right, b.right) - Math.max(a.left, b.left), Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)];
  for (let i = 0; i < targets.length; i++) {
    for (let j = i + 1; j < targets.length; j++) {
      const nested = targets[i].contains(targets[j]) || targets[j].contains(targets[i]);
      const label = targets[i].closest("label");
      if (nested || (label && label === targets[j].closest("label"))) continue;
      const hit = boxes[i].flatMap((a) => boxes[j].map((b) => overlap(a, b))).find(([w, h]) => w > 2 && h > 2);
      if (hit) problems.push(`${name(targets[i])} overlaps ${name(targets[j])} by ${Math.round(hit[0])}×${Math.round(hit[1])}px`);
    }
  }
  // 4. A one-line field or button stays one line high (a stray stylesheet once made selects in
  //    a table 10em tall).
  for (const el of targets) {
    if (!el.matches("select:not([multiple]), input:not([type=checkbox]):not([type=radio]), button")) continue;
    const h = el.getBoundingClientRect().height;
    if (h > 64 && !el.matches("button") || h > 120) problems.push(`${name(el)} is ${Math.round(h)}px high`);
  }
  // 5. Warehouse pages on a phone: every target at least `touch` px, and the scan field within
  //    reach wherever the page is scrolled.
  if (phone && warehouse) {
    for (const el of targets) {
      if (!el.closest("#content, .brygga-nav") || el.closest("p, .errornote, .messagelist")) continue;
      if (el.matches("input[type=checkbox], input[type=radio]")) continue;  // their label is the target
      const r = el.getBoundingClientRect();
      if (r.height < touch - 0.5 || r.width < touch - 0.5)
        problems.push(`${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)}px, smaller than a ${touch}px touch target`);
    }
    const scan = document.querySelector(".scan-input");
    if (scan) {
      const before = window.scrollY;
      window.scrollTo(0, document.documentElement.scrollHeight);
      const r = scan.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight)
        problems.push("the scan field is out of reach once the page is scrolled to its end");
      window.scrollTo(0, before);
    }
  }
  return problems;
}
"""

# Every piece of text on the page as a person reads it: each element's own text, the whole text
# of small elements (a button, a cell, a label), and the words in attributes a screen reader or
# a placeholder shows.
TEXTS = r"""
() => {
  const texts = new Set();
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const whole = "a, button, label, option, th, td, dt, dd, li, h1, h2, h3, h4, p, legend, summary, caption, span, small, strong";
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("script, style, template, pre, code, .ean")) continue;
    // A part marked in another language on purpose (a delivery note in the customer's language).
    const marked = el.closest("[lang]");
    if (marked && marked !== document.documentElement && marked.lang !== document.documentElement.lang) continue;
    const own = norm([...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(" "));
    if (own) texts.add(own);
    if (el.matches(whole)) texts.add(norm(el.innerText));
    for (const attribute of ["placeholder", "aria-label", "title", "alt"]) if (el.getAttribute(attribute)) texts.add(norm(el.getAttribute(attribute)));
    if (el.matches("input[type=submit], input[type=button]")) texts.add(norm(el.value));
  }
  texts.add(norm(document.title.split("·")[0]));
  return [...texts].filter((t) => t.length > 1);
}
"""

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}")


@cache
def foreign_texts(language: str):
    """(exact texts, patterns) that on a page in `language` can only be the other language's:
    the catalogue's English source strings on a Swedish page, its Swedish on an English page.
    Strings that read the same in both languages (names, "Fortnox", "Status") are left out."""
    exact, patterns = set(), []
    same = set()
    pairs = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        english = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        swedish = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        same.update(set(english) & set(swedish))
        pairs.append((english, swedish))
    for english, swedish in pairs:
        for text in (swedish if language == "en" else english):
            text = " ".join(text.split())
            if not text or text in same or len(text) < 3:
                continue
            if PLACEHOLDER.search(text):
                parts = PLACEHOLDER.split(text)
                if sum(len(p.strip()) for p in parts) >= 8:  # enough words of its own to be sure
                    patterns.append("".join(re.escape(p) + (".+?" if i < len(parts) - 1 else "") for i, p in enumerate(parts)))
            else:
                exact.add(text)
    return frozenset(exact), re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def language_problems(page, language: str) -> list[str]:
    exact, pattern = foreign_texts(language)
    found = sorted({t for t in page.evaluate(TEXTS) if t in exact or (pattern and pattern.fullmatch(t))})
    other = "English" if language == "sv" else "Swedish"
    return [f"{other} text on a page in {language}: {text!r}" for text in found[:8]]


def layout_problems(page, *, phone: bool, warehouse: bool) -> list[str]:
    problems = page.evaluate(MEASURE, {"phone": phone, "warehouse": warehouse, "touch": TOUCH})
    if not phone:
        # The main menu fits on one line at a desktop's width.
        tops = page.evaluate("() => [...new Set([...document.querySelectorAll('.brygga-nav > ul > li')].map((li) => Math.round(li.getBoundingClientRect().top)))]")
        if len(tops) > 1:
            problems.append(f"the main menu takes {len(tops)} lines")
    return problems


def look_at(page, path: str, *, language: str, size: str, warehouse: bool = False, name: str = "", axe: bool = True) -> list[str]:
    """Open `path` in the window's current language at `size` and list every problem found,
    each prefixed with where it was seen. A screenshot of the page goes to
    test-artifacts/pages/ (full length) so a person can look through them after a run."""
    page.set_viewport_size(SIZES[size])
    response = page.goto(path)
    where = f"{path} ({language}, {size})"
    if response is None or response.status >= 400:
        return [f"{where}: answered {response.status if response else 'nothing'}"]
    problems = []
    if page.locator("html").get_attribute("lang") != language:
        problems.append(f"the page is not in {language}")
    problems += layout_problems(page, phone=size == "phone", warehouse=warehouse)
    problems += language_problems(page, language)
    if axe:
        problems += accessibility_problems(page)
    name = re.sub(r"[^\w]+", "-", name or path).strip("-") or "home"
    shot = ARTIFACTS / "pages" / f"{name}-{language}-{size}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    return [f"{where}: {problem}" for problem in problems]
