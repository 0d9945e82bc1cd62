// "Copy BibTeX": puts a note's BibTeX entry on the clipboard. Without JavaScript the button
// stays hidden and the entry is still there to read and select, inside its <details>.
(function () {
  "use strict";

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  }

  for (const button of document.querySelectorAll("button.copy-bibtex[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    const status = button.parentElement.querySelector(".copy-status");
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", async function () {
      const text = source.textContent;
      let copied = false;
      try {
        await navigator.clipboard.writeText(text);
        copied = true;
      } catch (error) {
        copied = fallbackCopy(text);
      }
      button.textContent = copied ? "Copied" : "Copy failed: select the entry below";
      if (status) status.textContent = copied ? "BibTeX copied to the clipboard" : "";
      if (!copied) source.closest("details").open = true;
      setTimeout(function () {
        button.textContent = label;
      }, 2000);
    });
  }
})();
