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

// --- invite = enroll, time zones, days away (issue 15: people) ---
(() => {
  // Choosing a cohort fills in its start date, and its program when none is chosen yet.
  document.addEventListener("change", (event) => {
    const select = event.target.closest && event.target.closest("select[data-cohort-defaults]");
    if (!select || !select.form) return;
    const option = select.selectedOptions[0];
    if (!option) return;
    const start = select.form.elements.namedItem("start_date");
    if (start && option.dataset.start) start.value = option.dataset.start;
    const version = select.form.elements.namedItem("version");
    if (version && !version.value && option.dataset.version) version.value = option.dataset.version;
  });
  // An invitation for a mentor or admin enrolls nobody: hide the enrollment's fields.
  const roleFields = (select) => {
    const enrolls = select.value === "hire";
    select.form.querySelectorAll("[data-enroll-field]").forEach((field) => {
      const wrap = field.closest(".field") || field;
      wrap.hidden = !enrolls;
    });
  };
  document.addEventListener("change", (event) => {
    const select = event.target.closest && event.target.closest("select[data-invite-role]");
    if (select && select.form) roleFields(select);
  });
  // A list of day-away dates: "Add a date" adds an empty box, "Remove" takes one away.
  const dateRow = (list) => {
    const row = list.querySelector(".date-list__item").cloneNode(true);
    const input = row.querySelector("input");
    input.value = "";
    input.removeAttribute("id");
    return row;
  };
  const renumber = (list) => {
    list.querySelectorAll(".date-list__item").forEach((row, n) => {
      row.querySelector("input").setAttribute("aria-label", `Day away ${n + 1}`);
    });
  };
  document.addEventListener("click", (event) => {
    const add = event.target.closest && event.target.closest("[data-date-add]");
    const remove = event.target.closest && event.target.closest("[data-date-remove]");
    const list = (add || remove) && (add || remove).closest("[data-date-list]");
    if (!list) return;
    const items = list.querySelector(".date-list__items");
    if (add) {
      const row = dateRow(list);
      items.appendChild(row);
      renumber(list);
      row.querySelector("input").focus();
    } else {
      const row = remove.closest(".date-list__item");
      if (items.children.length > 1) row.remove();
      else row.querySelector("input").value = "";
      renumber(list);
    }
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-invite-role]").forEach(roleFields);
    document.querySelectorAll("[data-date-list] [hidden]").forEach((button) => {
      button.hidden = false;
    });
    // An empty time-zone box starts with the zone the browser reports.
    let zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      zone = "";
    }
    document.querySelectorAll("input[data-detect-zone]").forEach((input) => {
      if (!input.value && zone) input.value = zone;
    });
  });
})();

// --- refused htmx posts ---
// A refused form may answer 422 with the fragment that shows the message next to the control
// (the hire's journey does); htmx does not swap error answers unless told, so swap this one.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// --- the day's contents (issue 15: journey) ---
// Open beside the day where there is room (folded above it on a phone); after htmx swaps a
// block, recount each section's done/total from the page (every to-do block says data-todo, each
// heading data-section-start, in page order), so the counts follow the hire's ticks.
(() => {
  const wide = window.matchMedia("(min-width: 64rem)");
  const place = () => {
    document.querySelectorAll("[data-day-toc] details").forEach((details) => {
      details.open = wide.matches;
    });
  };
  const recount = () => {
    const toc = document.querySelector("[data-day-toc]");
    if (!toc) return;
    const counts = new Map();
    let current = null;
    document.querySelectorAll("[data-section-start], [data-todo]").forEach((element) => {
      if (element.hasAttribute("data-section-start")) {
        current = { done: 0, total: 0 };
        counts.set(element.id, current);
      }
      const state = element.getAttribute("data-todo");
      if (current && state) {
        current.total += 1;
        if (state === "done") current.done += 1;
      }
    });
    toc.querySelectorAll("[data-toc-section]").forEach((entry) => {
      const count = counts.get(entry.getAttribute("data-toc-section"));
      const badge = entry.querySelector("[data-toc-badge]");
      const spoken = entry.querySelector("[data-toc-spoken]");
      if (!count || !badge || !spoken) return;
      const complete = count.total > 0 && count.done === count.total;
      badge.textContent = complete ? "✓" : `${count.done}/${count.total}`;
      spoken.textContent = `, ${count.done} of ${count.total} done`;
      entry.classList.toggle("is-done", complete);
    });
  };
  // Mark the section being read, so the contents show where the hire is on a long day.
  const follow = () => {
    const toc = document.querySelector("[data-day-toc]");
    if (!toc || !("IntersectionObserver" in window)) return;
    const entries = new Map();
    toc.querySelectorAll("[data-toc-section]").forEach((entry) => {
      entries.set(entry.getAttribute("data-toc-section"), entry);
    });
    const observer = new IntersectionObserver(
      (seen) => {
        seen.forEach((item) => {
          if (!item.isIntersecting) return;
          entries.forEach((entry, id) => entry.classList.toggle("is-current", id === item.target.id));
        });
      },
      { rootMargin: "0px 0px -70% 0px" },
    );
    entries.forEach((_, id) => {
      const heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    place();
    follow();
  });
  wide.addEventListener("change", place);
  document.addEventListener("htmx:afterSettle", recount);
})();

// --- calendar feed shown once (issue 16): a Copy button beside a read-only address ---
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-copy-from]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyFrom);
  if (!field) return;
  field.select();
  const done = () => {
    button.textContent = button.dataset.copiedText || "Copied";
  };
  if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, () => {});
  else if (document.execCommand("copy")) done();
});
