/**
 * Building HTML and SVG so that nothing from a record can become markup:
 * every string child and attribute value is escaped; only `Markup` values
 * (made here, or `trusted()` constants written in this folder) pass through.
 */

export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Child = Markup | string | number | undefined | null | false | readonly Child[];
export type AttrValue = string | number | boolean | undefined;

const VOID = new Set(['meta', 'br', 'hr', 'col']);
const NAME = /^[a-z][a-z0-9-]*$/i;
const ATTR = /^[a-z][a-z0-9:-]*$/i;
// C0 controls (but tab, newline, return) and DEL are not allowed in HTML text.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(s: string): string {
  return s
    .replace(CONTROL, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A number as an attribute: at most two decimals. */
export function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** For constants written in this folder only (the stylesheet), never for record data. */
export function trusted(html: string): Markup {
  return new Markup(html);
}

export function el(tag: string, attrs: Readonly<Record<string, AttrValue>> = {}, ...children: Child[]): Markup {
  if (!NAME.test(tag)) throw new Error(`bad tag name ${tag}`);
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (!ATTR.test(name)) throw new Error(`bad attribute name ${name}`);
    open += value === true ? ` ${name}` : ` ${name}="${typeof value === 'number' ? num(value) : escapeHtml(value)}"`;
  }
  open += '>';
  if (VOID.has(tag)) return new Markup(open);
  return new Markup(`${open}${render(children)}</${tag}>`);
}

/** Children side by side, no wrapper. */
export function frag(...children: Child[]): Markup {
  return new Markup(render(children));
}

function render(children: readonly Child[]): string {
  let out = '';
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (c instanceof Markup) out += c.html;
    else if (Array.isArray(c)) out += render(c);
    else out += escapeHtml(String(c));
  }
  return out;
}
