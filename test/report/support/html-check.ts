/** Small structural checks of the renderer's HTML (no parser dependency; the browser tests read the real DOM). */

const VOID = new Set(['meta', 'br', 'hr', 'col', 'link', 'img', 'input']);

/** Tags in document order, with a stack check: every element closed, in order. Returns the problems found. */
export function tagBalance(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/<!DOCTYPE html>/i, '').replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^<>]*)>/g)) {
    const [, close, name, rest] = m;
    const tag = name!.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open ?? 'nothing'}> at ${m.index}`);
    } else if (!VOID.has(tag) && !rest!.endsWith('/')) {
      stack.push(tag);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (/<(?![/!a-zA-Z])/.test(body)) problems.push('a bare "<" in text');
  return problems;
}

/** Values of `data-NAME="..."` attributes, unescaped. */
export function dataValues(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`data-${name}="([^"]*)"`, 'g'))].map((m) =>
    m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
}

/** Attribute names used in the document's tags (values, which are quoted and escaped, stripped). */
export function attributeNames(html: string): Set<string> {
  const names = new Set<string>();
  for (const m of html.matchAll(/<[a-zA-Z][^<>]*>/g)) {
    const bare = m[0].replace(/"[^"]*"/g, '""');
    for (const a of bare.matchAll(/\s([a-zA-Z][\w:-]*)(?==|\s|>)/g)) names.add(a[1]!.toLowerCase());
  }
  return names;
}

/** Element names used in the document. */
export function elementNames(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
}
