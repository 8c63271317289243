// Small accessibility fixes to the theme's header buttons (WCAG 2.5.3, label in name).
document.addEventListener("DOMContentLoaded", () => {
  // The search buttons show "Search Ctrl + K": let that visible text be their name.
  document.querySelectorAll(".search-button-field[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });

  // Folded code output (<summary>) shows "Show code cell output": let that be its name.
  document.querySelectorAll("summary[aria-label]").forEach((summary) => {
    summary.removeAttribute("aria-label");
  });

  // Folded answers: name each toggle button after its title ("Show answer") rather than the
  // generic "Toggle hidden content". The buttons are added by another script on page load.
  setTimeout(() => {
    document.querySelectorAll(".admonition-title > .toggle-button").forEach((button) => {
      const title = button.parentElement.textContent.trim();
      if (title) button.setAttribute("aria-label", title);
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
