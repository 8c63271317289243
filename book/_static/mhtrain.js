// Small accessibility fixes to the theme's header buttons (WCAG 2.5.3, label in name).
document.addEventListener("DOMContentLoaded", () => {
  // The search buttons show "Search Ctrl + K": let that visible text be their name.
  document.querySelectorAll(".search-button-field[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });

  // The side menu holds the course logo and the search button above its navigation: name it
  // as a region, so that everything on the page sits in a landmark a screen reader can list.
  const menu = document.getElementById("pst-primary-sidebar");
  if (menu && !menu.hasAttribute("role")) {
    menu.setAttribute("role", "region");
    menu.setAttribute("aria-label", "Course menu");
  }

  // Folded code output (<summary>) shows "Show code cell output": let that be its name.
  document.querySelectorAll("summary[aria-label]").forEach((summary) => {
    summary.removeAttribute("aria-label");
  });

  // Folded answers: name each toggle button after its title and its exercise ("Show answer
  // (Exercise 2: choose the denominator)") rather than the generic "Toggle hidden content",
  // so that a screen reader's list of buttons tells them apart. The exercise is the nearest
  // heading before the answer. The buttons are added by another script on page load.
  const headings = [...document.querySelectorAll("article h2, article h3, article h4")];
  const headingBefore = (element) => {
    const before = headings.filter(
      (h) => h.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING,
    );
    if (!before.length) return "";
    const copy = before[before.length - 1].cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach((link) => link.remove());
    return copy.textContent.replace(/\s+/g, " ").trim();
  };
  setTimeout(() => {
    document.querySelectorAll(".admonition-title > .toggle-button").forEach((button) => {
      const title = button.parentElement.textContent.replace(/\s+/g, " ").trim();
      if (!title) return;
      const exercise = headingBefore(button.closest(".admonition") || button);
      button.setAttribute("aria-label", exercise ? `${title} (${exercise})` : title);
    });
  }, 0);

  // The colour-mode button shows one icon at a time, and the icon library gives each icon a
  // title ("Light", "Dark", ...) that is not part of the button's label. Drop those titles,
  // now and whenever the icon library redraws the icons, so the label names the button.
  const untitle = (button) => {
    button.querySelectorAll("[title]").forEach((el) => el.removeAttribute("title"));
    button.querySelectorAll("svg title").forEach((el) => el.remove());
    button.querySelectorAll("svg[aria-labelledby]").forEach((el) => {
      el.removeAttribute("aria-labelledby");
    });
  };
  document.querySelectorAll(".theme-switch-button").forEach((button) => {
    untitle(button);
    new MutationObserver(() => untitle(button)).observe(button, {
      childList: true,
      subtree: true,
    });
  });
});
