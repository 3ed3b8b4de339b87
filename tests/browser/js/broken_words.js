// The words of table cells and headings that the browser broke across two lines. A word is a
// run of characters between the places where the text itself allows a break: spaces, hyphens,
// slashes and soft hyphens. Each word is measured as a Range: more than one line box is a break.
() => {
  const found = [];
  const roots = document.querySelectorAll('th, td, caption, h1, h2, h3, h4, h5, h6');
  for (const root of roots) {
    if (root.closest('.js-plotly-plot, svg, [hidden], .visually-hidden')) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest('.visually-hidden, svg')) continue;
      const text = node.textContent;
      const pattern = /[^\s\-\u2010\u2011\u2013\/\u00ad]+/g;
      let match;
      while ((match = pattern.exec(text))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) { found.push(root.tagName + ': ' + match[0]); }
      }
    }
  }
  return found;
}
