// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions declared in markup (no inline handlers: the CSP forbids them).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Preselect the browser's own IANA time zone where a form asks for one.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("select[data-detect-time-zone]").forEach((select) => {
    if (zone && [...select.options].some((option) => option.value === zone)) select.value = zone;
  });
});

// Resource links in the rendered curriculum go through the app's "open" redirect too, so opening
// one counts as read (the explicit "Open" button already does; this covers the title link).
// After opening, the block shows "Read ✓" at once; the server recorded it on the redirect.
(() => {
  const routeResourceLinks = (root) => {
    root.querySelectorAll("[data-open-url][data-resource-url]").forEach((block) => {
      let target;
      try {
        target = new URL(block.dataset.resourceUrl, document.baseURI).href;
      } catch {
        return;
      }
      block.querySelectorAll(".prose a[href]").forEach((link) => {
        if (link.href !== target) return;
        link.href = block.dataset.openUrl;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.setAttribute("data-resource-open", "");
      });
    });
  };
  const showRead = (link) => {
    const block = link.closest(".resource");
    const form = block && block.querySelector("form");
    if (!form) return;
    const badge = document.createElement("span");
    badge.className = "badge badge--good";
    badge.textContent = "Read ✓";
    form.replaceWith(badge);
  };
  document.addEventListener("DOMContentLoaded", () => routeResourceLinks(document));
  document.addEventListener("htmx:load", (event) => routeResourceLinks(event.target));
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-resource-open]");
    if (link) window.setTimeout(() => showRead(link), 300);
  });
})();

// --- refused htmx posts (desk and meetings) ---
// A refused form answers 422 with the fragment that shows the message next to the control;
// htmx does not swap error answers unless told, so swap this one in place.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
