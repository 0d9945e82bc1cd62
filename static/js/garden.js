/* garden.js: what needs a browser. A theme toggle, search (Pagefind), hover previews of
   internal links, and the current section marked in the table of contents. Without JavaScript
   the toggle and the search box stay hidden and every page still reads in full. */
(() => {
  "use strict";
  const script = document.currentScript;
  const base = script.dataset.base || "/";
  const root = document.documentElement;
  const THEME_KEY = "garden-theme";
  const systemDark = matchMedia("(prefers-color-scheme: dark)");

  const isDark = () => (root.dataset.theme || (systemDark.matches ? "dark" : "light")) === "dark";
  const typing = (el) => el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text) el.textContent = text;
    return el;
  };

  /* ------------------------------------------------------------------ theme */
  function setupTheme() {
    const button = document.querySelector(".theme-toggle");
    if (!button) return;
    const sync = () => button.setAttribute("aria-pressed", String(isDark()));
    button.hidden = false;
    sync();
    button.addEventListener("click", () => {
      const theme = isDark() ? "light" : "dark";
      root.dataset.theme = theme;
      try {
        localStorage.setItem(THEME_KEY, theme);
      } catch (_) {
        /* private mode: the choice lasts for this page only */
      }
      sync();
      document.dispatchEvent(new Event("garden:theme"));
    });
    systemDark.addEventListener("change", sync);
  }

  /* ------------------------------------------------------------------ search */
  function setupSearch() {
    const opener = document.querySelector(".search-open");
    const dialog = document.querySelector(".search-dialog");
    if (!opener || !dialog || typeof dialog.showModal !== "function") return;
    const input = dialog.querySelector("input");
    const list = dialog.querySelector(".search-results");
    const status = dialog.querySelector(".search-status");
    let loading = null;
    let latest = 0;
    const PAGE = 10; // results shown at a time

    const load = () =>
      (loading ||= import(script.dataset.search).then(async (pagefind) => {
        await pagefind.options({ baseUrl: base, excerptLength: 22 });
        await pagefind.init();
        return pagefind;
      }));
    const open = () => {
      if (!dialog.open) dialog.showModal();
      input.focus();
      input.select();
      load().catch(() => (status.textContent = "Search is not available: the index could not be loaded."));
    };

    opener.hidden = false;
    opener.addEventListener("click", open);
    dialog.querySelector(".search-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());
    document.addEventListener("keydown", (event) => {
      const ctrlK = event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey);
      if (ctrlK || (event.key === "/" && !typing(event.target) && !dialog.open)) {
        event.preventDefault();
        open();
      }
    });
    input.addEventListener("input", () => run(input.value.trim()));

    async function run(query) {
      const id = ++latest;
      if (!query) {
        list.replaceChildren();
        status.textContent = "";
        return;
      }
      const pagefind = await load();
      const search = await pagefind.debouncedSearch(query, {}, 120);
      if (search === null || id !== latest) return; // a newer query is on its way
      list.replaceChildren();
      await more(search.results, 0, id);
      if (id !== latest) return;
      const count = search.results.length; // said once the first results are in the list
      status.textContent = count ? `${count} note${count === 1 ? "" : "s"} found` : `No notes match “${query}”`;
    }

    /* Ten results at a time; a button at the end of the list shows the next ten. */
    async function more(results, from, id) {
      const found = await Promise.all(results.slice(from, from + PAGE).map((result) => result.data()));
      if (id !== latest) return;
      list.querySelector(".search-more")?.remove();
      list.append(...found.map(resultItem));
      if (results.length > from + PAGE) {
        const button = make("button", "", `Show more results (${results.length - from - PAGE} left)`);
        button.type = "button";
        const item = make("li", "search-more");
        item.append(button);
        list.append(item);
        button.addEventListener("click", async () => {
          const first = list.querySelectorAll("a").length;
          await more(results, from + PAGE, id);
          list.querySelectorAll("a")[first]?.focus();
        });
      }
    }

    function resultItem(data) {
      const link = make("a");
      link.href = data.url;
      link.append(make("span", "result-title", data.meta.title || data.url));
      if (data.meta.section) link.append(make("span", "result-section", data.meta.section));
      const excerpt = make("span", "result-excerpt");
      excerpt.append(...marked(data.excerpt || ""));
      link.append(excerpt);
      const item = make("li");
      item.append(link);
      return item;
    }

    // Arrow keys move between the box and the results; Enter opens the first result.
    dialog.addEventListener("keydown", (event) => {
      const links = [...list.querySelectorAll("a")];
      const at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[Math.min(at + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        (at === 0 ? input : links[at - 1]).focus();
      } else if (event.key === "Enter" && event.target === input && links.length) {
        event.preventDefault();
        links[0].click();
      } else if (at >= 0 && event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
        input.focus(); // typing on a result goes on typing in the box
      }
    });
  }

  /* Pagefind's excerpt is escaped text with <mark> around the hits: keep exactly that. */
  function marked(html) {
    const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body;
    return [...parsed.firstChild.childNodes].map((node) =>
      node.nodeName === "MARK" ? make("mark", "", node.textContent) : document.createTextNode(node.textContent)
    );
  }

  /* ------------------------------------------------------------------ hover previews */
  function setupPreviews() {
    if (!matchMedia("(hover: hover) and (pointer: fine)").matches) return; // not on touch screens
    const pages = new Map();
    let box = null;
    let owner = null;
    let showTimer = 0;
    let hideTimer = 0;

    const previewable = (el) => {
      const link = el instanceof Element ? el.closest("a.internal, a.cite") : null;
      if (!link || link.classList.contains("file") || link.closest(".preview")) return null;
      if (link.dataset.ref) return link; // a citation: its entry in this page's References
      const url = new URL(link.href, location.href);
      return url.origin === location.origin ? link : null;
    };
    const fetchPage = (path) => {
      if (!pages.has(path)) {
        pages.set(
          path,
          fetch(path)
            .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.status))))
            .then((html) => new DOMParser().parseFromString(html, "text/html"))
        );
      }
      return pages.get(path);
    };
    const hide = () => {
      clearTimeout(showTimer);
      box?.remove();
      box = owner = null;
    };
    const later = (fn, ms) => {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(fn, ms);
    };

    async function show(link) {
      if (link.dataset.ref) {
        const entry = extract(document, link.dataset.ref, true);
        if (entry && owner === link) display(link, entry);
        return;
      }
      const url = new URL(link.href, location.href);
      const samePage = url.pathname === location.pathname;
      let doc;
      try {
        doc = samePage ? document : await fetchPage(url.pathname);
      } catch (_) {
        return; // no preview; the link works as ever
      }
      if (owner !== link) return;
      const content = extract(doc, decodeURIComponent(url.hash.slice(1)), samePage);
      if (content) display(link, content);
    }

    function display(link, content) {
      box?.remove();
      box = make("div", "preview");
      box.append(...content);
      box.addEventListener("mouseenter", () => clearTimeout(hideTimer));
      box.addEventListener("mouseleave", () => later(hide, 250));
      document.body.append(box);
      place(box, link);
    }

    const enter = (event) => {
      const link = previewable(event.target);
      if (!link) return;
      clearTimeout(hideTimer);
      if (link === owner) return;
      hide();
      owner = link;
      showTimer = setTimeout(() => show(link), 300);
    };
    const leave = (event) => {
      if (previewable(event.target) === owner && owner) later(hide, 250);
    };
    document.addEventListener("mouseover", enter);
    document.addEventListener("mouseout", leave);
    document.addEventListener("focusin", enter); // keyboard readers get the same preview
    document.addEventListener("focusout", leave);
    document.addEventListener("keydown", (event) => event.key === "Escape" && hide());
    addEventListener("pagehide", hide);
  }

  /* The start of a note, or the section a #heading names, as nodes of this document. */
  function extract(doc, anchor, samePage) {
    let parts = [];
    let title = "";
    let target = anchor ? doc.getElementById(anchor) : null;
    if (target?.closest(".katex")) target = target.closest(".equation") || target; // a row's number: its formula
    if (target && /^H[1-6]$/.test(target.tagName)) {
      const level = Number(target.tagName[1]);
      parts.push(target);
      for (let next = target.nextElementSibling; next && parts.length < 7; next = next.nextElementSibling) {
        if (/^H[1-6]$/.test(next.tagName) && Number(next.tagName[1]) <= level) break;
        parts.push(next);
      }
      title = samePage ? "" : doc.querySelector("h1")?.textContent || "";
    } else if (target) {
      // a block named ^id: the block itself (a list item inside a list of its own)
      parts.push(target.tagName === "LI" ? wrapItem(target) : target);
      title = samePage ? "" : doc.querySelector("main h1")?.textContent || "";
    } else {
      if (samePage) return null;
      title = doc.querySelector("main h1")?.textContent || "";
      const body = doc.querySelector("main .note-body") || doc.querySelector("main .lead");
      if (body?.classList.contains("lead")) parts.push(body);
      else parts = [...(body?.children || [])].slice(0, 5);
    }
    if (!parts.length && !title) return null;
    const nodes = parts.map((part) => {
      const copy = document.importNode(part, true);
      copy.querySelectorAll("script, .heading-link").forEach((el) => el.remove());
      for (const el of [copy, ...copy.querySelectorAll("[id]")]) el.removeAttribute("id"); // ids stay unique
      return copy;
    });
    return title ? [make("p", "preview-title", title), ...nodes] : nodes;
  }

  function wrapItem(item) {
    const list = document.createElement(item.parentElement?.tagName === "OL" ? "ol" : "ul");
    list.append(document.importNode(item, true));
    return list;
  }

  /* Beside the link (below it, or above when there is more room there), inside the viewport,
     never over the link itself nor over the table of contents. */
  function place(box, link) {
    const rect = link.getBoundingClientRect();
    const toc = document.querySelector(".toc");
    const tocRect = toc && toc.offsetWidth ? toc.getBoundingClientRect() : null;
    const right = tocRect && rect.right <= tocRect.left ? tocRect.left - 8 : innerWidth - 8;
    const width = Math.min(box.offsetWidth, right - 8);
    box.style.width = `${width}px`;
    const left = Math.max(8, Math.min(rect.left, right - width));
    const roomBelow = innerHeight - rect.bottom - 16;
    const roomAbove = rect.top - 16;
    const below = roomBelow >= box.offsetHeight || roomBelow >= roomAbove;
    box.style.maxHeight = `${Math.max(Math.min(box.offsetHeight, below ? roomBelow : roomAbove), 64)}px`;
    const top = below ? rect.bottom + 8 : rect.top - box.offsetHeight - 8;
    box.style.left = `${left + scrollX}px`;
    box.style.top = `${top + scrollY}px`;
  }

  /* ------------------------------------------------------------------ wide formulas */
  /* A formula wider than its box scrolls; the keyboard can reach and scroll it too. */
  function setupScrollBoxes() {
    const boxes = [...document.querySelectorAll(".math-display")];
    if (!boxes.length) return;
    const mark = () =>
      boxes.forEach((box) =>
        box.scrollWidth > box.clientWidth ? box.setAttribute("tabindex", "0") : box.removeAttribute("tabindex")
      );
    addEventListener("resize", mark, { passive: true });
    addEventListener("load", mark); // KaTeX's fonts change a formula's width once they arrive
    document.fonts?.ready.then(mark);
    mark();
  }

  /* ------------------------------------------------------------------ table of contents */
  function setupToc() {
    const links = [...document.querySelectorAll('.toc a[href^="#"]')];
    const headings = links.map((link) => document.getElementById(decodeURIComponent(link.hash.slice(1))));
    if (!links.length) return;
    let queued = false;
    const mark = () => {
      queued = false;
      let current = -1;
      headings.forEach((heading, i) => {
        if (heading && heading.getBoundingClientRect().top < innerHeight * 0.25) current = i;
      });
      links.forEach((link, i) =>
        i === current ? link.setAttribute("aria-current", "true") : link.removeAttribute("aria-current")
      );
    };
    addEventListener("scroll", () => queued || ((queued = true), requestAnimationFrame(mark)), { passive: true });
    mark();
  }

  setupTheme();
  setupSearch();
  setupPreviews();
  setupToc();
  setupScrollBoxes();
})();
