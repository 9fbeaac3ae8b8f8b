// Run in a loaded book page (tests/foundation/test_pages_in_browser.py): returns what a reader
// would notice, as plain data. The Python side turns each list into one assertion.
(() => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const column = article.getBoundingClientRect();
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  // Closed dropdowns (folded solutions, hidden cells) hold content a reader sees only on opening.
  const folded = (el) => !!el.closest("details:not([open]), .toggle-hidden, .cell.tag_hide-cell .cell_input:not(.tag_shown)");
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 2).join(".")}` : "";
    const section = el.closest("section[id]");
    const text = (el.getAttribute("alt") || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
    return `<${el.tagName.toLowerCase()}${id}${cls}> in section #${section ? section.id : "?"}: "${text}"`;
  };
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);

  // 1. a title
  const h1 = article.querySelector("h1");
  const title = h1 ? h1.textContent.replace("#", "").trim() : "";

  // 2. math: no raw $ or TeX in the visible prose (code, outputs and typeset math excluded)
  const raw = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest(
      "pre, code, script, style, mjx-container, .MathJax, .highlight, .cell_output, .cell_input, textarea, .cst-interactive, .headerlink"
    ) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const tex = /\$|\\(frac|sum|prod|alpha|beta|gamma|lambda|varphi|phi|theta|sigma|mathbb|mathcal|text|cdot|dots|ldots|le|ge|in|mid|binom|sqrt|left|right|begin|end|hat|bar|tilde|operatorname)\b|\\[a-zA-Z]+\{|\^\{|_\{/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (tex.test(text)) raw.push(`${describe(node.parentElement)} … ${text.trim().slice(0, 80)}`);
  }
  const mathErrors = [...article.querySelectorAll("mjx-merror, .MathJax_Error")].map((e) => describe(e));

  // 3. images load and say what they show
  const images = [...document.querySelectorAll("img")];
  const broken = images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => `${describe(i)} src=${i.getAttribute("src").slice(0, 80)}`);
  const noAlt = images.filter((i) => !(i.getAttribute("alt") || "").trim()).map(describe);

  // 4. nothing wider than the column; figures not shrunk until their text is unreadable
  const wide = [];
  const shrunk = [];
  for (const el of article.querySelectorAll("img, svg, canvas, table, figure, pre, .cell_output > *")) {
    if (!visible(el) || folded(el) || el.closest("mjx-container")) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.left < column.left - 1 || box.right > column.right + 1)) {
      let scroller = el.parentElement;
      while (scroller && scroller !== article && !scrolls(scroller)) scroller = scroller.parentElement;
      if (!scroller || scroller === article) wide.push(`${describe(el)} spans ${Math.round(box.width)} px of a ${Math.round(column.width)} px column`);
    }
    if (el.tagName === "IMG" && el.naturalWidth > 0 && box.width > 0 && box.width < 0.6 * el.naturalWidth) {
      shrunk.push(`${describe(el)} drawn ${el.naturalWidth} px wide, shown at ${Math.round(box.width)} px (×${(box.width / el.naturalWidth).toFixed(2)})`);
    }
  }

  // 5. code, outputs and tables whose content is wider than their box must scroll, not clip
  const clipped = [];
  for (const el of article.querySelectorAll("pre, table, .cell_output, .output, div.highlight, .table-wrapper, .pst-scrollable-table-container")) {
    if (!visible(el) || folded(el) || el.scrollWidth <= el.clientWidth + 1) continue;
    let scroller = el;
    while (scroller && scroller !== article && !scrolls(scroller)) scroller = scroller.parentElement;
    if (!scroller || scroller === article) clipped.push(`${describe(el)} content ${el.scrollWidth} px in a ${el.clientWidth} px box without a scrollbar`);
  }

  // 6. code cells and printed outputs wider than their box: the code is formatted to 88
  // columns and set to fit them, so a reader should never scroll sideways to read a line
  const sideways = [];
  for (const el of article.querySelectorAll(".cell_input pre, .cell_output pre")) {
    if (!visible(el) || folded(el) || el.scrollWidth <= el.clientWidth + 1) continue;
    sideways.push(`${describe(el)} ${el.scrollWidth} px of text in a ${el.clientWidth} px box`);
  }

  // 7. links (checked against the files in Python) and unresolved references
  const links = [...document.querySelectorAll("a[href]")].map((a) => a.href).filter((h) => h.startsWith(location.origin));
  const unresolved = [...article.querySelectorAll(".problematic, .xref:not(a *)")]
    .filter((e) => !e.closest("a")).map(describe);
  for (const el of article.querySelectorAll("a, span, p, li, td")) {
    if (el.children.length === 0 && /^\s*\?\?\?\s*$|\?\?\?/.test(el.textContent) && !el.closest("pre, code, .cell_output")) {
      unresolved.push(describe(el));
    }
  }
  return {title, raw, mathErrors, broken, noAlt, wide, shrunk, clipped, sideways, links, unresolved,
          interactive: document.querySelectorAll("[data-cst-interactive]").length};
})()
