// The 404 page: suggest notes whose titles or addresses are close to the missing path.
// The page list is inline JSON (#garden-pages); without JavaScript the page still links home.
(function () {
  "use strict";
  const data = document.getElementById("garden-pages");
  const box = document.getElementById("suggestions");
  if (!data || !box) return;
  const pages = JSON.parse(data.textContent);
  const base = box.dataset.base || "/";

  function words(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function bigrams(text) {
    const padded = " " + text + " ";
    const grams = new Map();
    for (let i = 0; i < padded.length - 1; i++) {
      const gram = padded.slice(i, i + 2);
      grams.set(gram, (grams.get(gram) || 0) + 1);
    }
    return grams;
  }

  function similarity(a, b) {
    if (!a || !b) return 0;
    if (a === b) return 1;
    const x = bigrams(a);
    const y = bigrams(b);
    let shared = 0;
    let total = 0;
    for (const [gram, count] of x) {
      shared += Math.min(count, y.get(gram) || 0);
      total += count;
    }
    for (const count of y.values()) total += count;
    return (2 * shared) / total;
  }

  let path = location.pathname;
  try {
    path = decodeURIComponent(path);
  } catch (error) {
    /* keep it as it is */
  }
  const shown = path;
  if (path.startsWith(base)) path = path.slice(base.length);
  path = path.replace(/(index)?\.(html?|md)$/i, "").replace(/^\/+|\/+$/g, "");
  if (!path) return;
  const whole = words(path);
  const last = words(path.split("/").pop());

  const scored = pages
    .map(function (page) {
      const slug = words(page.s);
      const tail = words(page.s.split("/").pop());
      const title = words(page.t);
      // the last part of the address says most; the whole path helps with a mistyped folder
      const score = Math.max(0.8 * similarity(whole, slug), similarity(last, tail), similarity(last, title));
      return { page: page, score: score };
    })
    .filter(function (item) {
      return item.score >= 0.4;
    })
    .sort(function (a, b) {
      return b.score - a.score || a.page.t.localeCompare(b.page.t);
    })
    .slice(0, 5);

  const missing = document.getElementById("missing-path");
  if (missing) missing.textContent = " (" + shown + ")";
  if (!scored.length) return;
  const list = box.querySelector("ul");
  for (const item of scored) {
    const link = document.createElement("a");
    link.className = "internal";
    link.href = item.page.u;
    link.textContent = item.page.t;
    const entry = document.createElement("li");
    entry.appendChild(link);
    list.appendChild(entry);
  }
  box.hidden = false;
})();
