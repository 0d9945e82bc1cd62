/* graph.js: the whole garden on a canvas. Positions come from the build (graph/graph.json), so
   the browser only draws: pan by dragging, zoom with the wheel, a pinch or the buttons, point
   at a note (or tap it) to highlight its neighbours, click (or tap again) to open it. Redraws only when something changed. */
(() => {
  "use strict";
  const canvas = document.getElementById("graph-canvas");
  if (!canvas) return;
  const ctx = canvas.getContext("2d");
  const tip = document.querySelector(".graph-tip");
  const controls = document.querySelector(".graph-controls");
  const MAX_LABELS = 40;
  let nodes = [];
  let edges = new Int32Array(0);
  let neighbours = [];
  let byDegree = [];
  let view = { x: 0, y: 0, k: 1 };
  let width = 0;
  let height = 0;
  let ratio = 1;
  let hover = -1;
  let queued = false;

  fetch(canvas.dataset.src)
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
    .then(start)
    .catch(() => {
      tip.hidden = false;
      tip.textContent = "The graph data could not be loaded.";
    });

  function start(data) {
    const colours = data.areas.map((area) => area.colour);
    nodes = data.nodes.map(([title, url, area, degree, x, y, planned]) => ({
      title,
      url,
      x,
      y,
      planned: planned === 1,
      colour: area >= 0 ? colours[area] : data.unfiled,
      r: Math.min(3 + Math.sqrt(degree) * 1.2, 16),
    }));
    edges = Int32Array.from(data.edges);
    neighbours = nodes.map(() => new Set());
    for (let i = 0; i < edges.length; i += 2) {
      neighbours[edges[i]].add(edges[i + 1]);
      neighbours[edges[i + 1]].add(edges[i]);
    }
    byDegree = nodes.map((_, i) => i).sort((a, b) => nodes[b].r - nodes[a].r);
    resize();
    fit();
    new ResizeObserver(() => (resize(), redraw())).observe(canvas);
    document.addEventListener("garden:theme", redraw);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redraw);
    controls.hidden = false;
    controls.addEventListener("click", (event) => {
      const zoom = Number(event.target.closest("button")?.dataset.zoom);
      if (zoom) zoomAt(width / 2, height / 2, zoom);
      else if (zoom === 0) fit();
    });
    listen();
    // For tests and the curious: where a note is drawn, in CSS pixels inside the canvas.
    window.gardenGraph = {
      count: nodes.length,
      find: (title) => nodes.findIndex((node) => node.title === title),
      position: (i) => [view.x + nodes[i].x * view.k, view.y + nodes[i].y * view.k],
    };
    canvas.dataset.ready = "true";
  }

  function resize() {
    ratio = window.devicePixelRatio || 1;
    width = canvas.clientWidth;
    height = canvas.clientHeight;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }

  function fit() {
    if (!nodes.length) return;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const node of nodes) {
      x0 = Math.min(x0, node.x - node.r);
      y0 = Math.min(y0, node.y - node.r);
      x1 = Math.max(x1, node.x + node.r);
      y1 = Math.max(y1, node.y + node.r);
    }
    const k = Math.min(width / (x1 - x0 + 40), height / (y1 - y0 + 40), 4);
    view = { k, x: width / 2 - ((x0 + x1) / 2) * k, y: height / 2 - ((y0 + y1) / 2) * k };
    redraw();
  }

  function zoomAt(sx, sy, factor) {
    const k = Math.max(0.05, Math.min(view.k * factor, 40));
    view.x = sx - ((sx - view.x) * k) / view.k;
    view.y = sy - ((sy - view.y) * k) / view.k;
    view.k = k;
    redraw();
  }

  function redraw() {
    if (!queued) {
      queued = true;
      requestAnimationFrame(draw);
    }
  }

  function draw() {
    const started = performance.now();
    queued = false;
    const style = getComputedStyle(document.documentElement);
    const css = (name) => style.getPropertyValue(name).trim();
    const [fg, muted, bg, accent, planned] = ["--fg", "--muted", "--bg", "--accent", "--planned"].map(css);
    const { x, y, k } = view;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(ratio * k, 0, 0, ratio * k, ratio * x, ratio * y);
    const near = hover >= 0 ? neighbours[hover] : null;

    ctx.lineWidth = 0.7 / k;
    ctx.strokeStyle = muted;
    ctx.globalAlpha = near ? 0.1 : 0.3;
    ctx.beginPath();
    for (let i = 0; i < edges.length; i += 2) {
      const a = nodes[edges[i]];
      const b = nodes[edges[i + 1]];
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
    ctx.stroke();
    if (near) {
      ctx.globalAlpha = 0.9;
      ctx.strokeStyle = accent;
      ctx.lineWidth = 1.5 / k;
      ctx.beginPath();
      for (const j of near) {
        ctx.moveTo(nodes[hover].x, nodes[hover].y);
        ctx.lineTo(nodes[j].x, nodes[j].y);
      }
      ctx.stroke();
    }

    // Filled notes batched by colour (one path per colour), then the planned ghosts.
    const groups = new Map();
    nodes.forEach((node, i) => {
      if (node.planned) return;
      const key = node.colour + (near && i !== hover && !near.has(i) ? "dim" : "");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(node);
    });
    for (const [key, members] of groups) {
      ctx.globalAlpha = key.endsWith("dim") ? 0.2 : 1;
      ctx.fillStyle = members[0].colour;
      ctx.beginPath();
      for (const node of members) {
        ctx.moveTo(node.x + node.r, node.y);
        ctx.arc(node.x, node.y, node.r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    ctx.globalAlpha = near ? 0.5 : 1;
    ctx.fillStyle = bg;
    ctx.strokeStyle = planned;
    ctx.lineWidth = 1.4 / k;
    ctx.setLineDash([3 / k, 2 / k]);
    ctx.beginPath();
    for (const node of nodes) {
      if (!node.planned) continue;
      ctx.moveTo(node.x + node.r, node.y);
      ctx.arc(node.x, node.y, node.r, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    if (hover >= 0) {
      const node = nodes[hover];
      ctx.globalAlpha = 1;
      ctx.strokeStyle = fg;
      ctx.lineWidth = 2 / k;
      ctx.beginPath();
      ctx.arc(node.x, node.y, node.r + 2 / k, 0, 2 * Math.PI);
      ctx.stroke();
    }
    labels(fg, bg, near);
    if (window.gardenGraph) window.gardenGraph.drawMs = performance.now() - started;
  }

  /* Labels in screen space: the hovered note and its neighbours, else the best-linked visible
     notes. Each tries a few places around its note (above, below, right, left) and takes the
     first that covers no other label and no note; one that fits nowhere waits for a zoom. */
  function labels(fg, bg, near) {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.globalAlpha = 1;
    ctx.font = "12px system-ui, sans-serif";
    ctx.lineWidth = 3;
    ctx.strokeStyle = bg;
    ctx.fillStyle = fg;
    ctx.textBaseline = "alphabetic";
    const screen = (node) => [view.x + node.x * view.k, view.y + node.y * view.k, node.r * view.k];
    const visible = [];
    nodes.forEach((node) => {
      const [sx, sy, r] = screen(node);
      if (sx > -r && sx < width + r && sy > -r && sy < height + r) visible.push([sx - r, sy - r, sx + r, sy + r]);
    });
    const meets = (a, b) => a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1];
    const chosen = near ? [hover, ...near] : byDegree;
    const taken = [];
    const boxes = [];
    for (const i of chosen) {
      if (taken.length >= MAX_LABELS) break;
      const node = nodes[i];
      const [sx, sy, r] = screen(node);
      if (sx < 0 || sx > width || sy < 0 || sy > height) continue;
      const text = node.title.length > 32 ? `${node.title.slice(0, 31)}…` : node.title;
      const w = ctx.measureText(text).width;
      const gap = r + 3;
      const spots = [
        [sx - w / 2, sy - gap - 4], // above (the baseline 4 px over the box's bottom)
        [sx - w / 2, sy + gap + 11], // below
        [sx + gap, sy + 4], // right
        [sx - gap - w, sy + 4], // left
      ];
      for (const [left, baseline] of spots) {
        const box = [left - 1, baseline - 11, left + w + 1, baseline + 4];
        if (box[0] < 0 || box[2] > width || box[1] < 0 || box[3] > height) continue;
        if (taken.some((t) => meets(box, t)) || visible.some((v) => meets(box, v))) continue;
        taken.push(box);
        boxes.push({ x: box[0], y: box[1], w: box[2] - box[0], h: box[3] - box[1], t: node.title });
        ctx.strokeText(text, left, baseline);
        ctx.fillText(text, left, baseline);
        break;
      }
    }
    canvas.dataset.labels = JSON.stringify(boxes); // what is labelled where, for tests and the curious
  }

  function nodeAt(sx, sy) {
    const wx = (sx - view.x) / view.k;
    const wy = (sy - view.y) / view.k;
    let best = -1;
    let bestDistance = Infinity;
    nodes.forEach((node, i) => {
      const reach = node.r + 4 / view.k;
      const d = (node.x - wx) ** 2 + (node.y - wy) ** 2;
      if (d <= reach * reach && d < bestDistance) {
        best = i;
        bestDistance = d;
      }
    });
    return best;
  }

  function setHover(i, sx, sy) {
    if (i !== hover) {
      hover = i;
      canvas.style.cursor = i >= 0 ? "pointer" : "";
      redraw();
    }
    tip.hidden = i < 0;
    if (i >= 0) {
      tip.textContent = nodes[i].planned ? `${nodes[i].title} (planned)` : nodes[i].title;
      tip.style.left = `${Math.min(sx + 14, width - tip.offsetWidth - 4)}px`;
      tip.style.top = `${sy + 14}px`;
    }
  }

  function listen() {
    const pointers = new Map();
    let pinch = 0;
    let moved = 0;
    const local = (event) => {
      const rect = canvas.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    canvas.addEventListener("pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      pointers.set(event.pointerId, local(event));
      moved = 0;
      canvas.classList.add("dragging");
    });
    canvas.addEventListener("pointermove", (event) => {
      const [sx, sy] = local(event);
      const last = pointers.get(event.pointerId);
      if (!last) return setHover(nodeAt(sx, sy), sx, sy);
      pointers.set(event.pointerId, [sx, sy]);
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (pinch) zoomAt((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, distance / pinch);
        pinch = distance;
        moved = Infinity;
        return;
      }
      moved += Math.abs(sx - last[0]) + Math.abs(sy - last[1]);
      view.x += sx - last[0];
      view.y += sy - last[1];
      redraw();
    });
    const release = (event) => {
      pointers.delete(event.pointerId);
      pinch = 0;
      canvas.classList.remove("dragging");
      if (event.type !== "pointerup" || moved > 4 || pointers.size) return;
      const [sx, sy] = local(event);
      const i = nodeAt(sx, sy);
      // on a touch screen the first tap shows a note and its neighbours, a second opens it
      if (event.pointerType === "touch" && i !== hover) return setHover(i, sx, sy);
      if (i >= 0 && nodes[i].url) location.href = nodes[i].url;
    };
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
    // a finger leaves the canvas after every tap: the tapped note stays shown for the second tap
    canvas.addEventListener(
      "pointerleave",
      (event) => event.pointerType === "touch" || pointers.size || setHover(-1, 0, 0)
    );
    canvas.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const [sx, sy] = local(event);
        zoomAt(sx, sy, Math.exp(-event.deltaY * 0.0015));
      },
      { passive: false }
    );
  }
})();
