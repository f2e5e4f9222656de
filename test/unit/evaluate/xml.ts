/**
 * A tiny XML well-formedness checker (no regular expressions): one root element, tags nest and
 * close in order, attributes are quoted and unique, text has no raw '<' and only the five
 * predefined or numeric entities. Returns the elements (name + attributes) in document order.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Text directly inside the element, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
const isNameChar = (c: string): boolean => isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

function decode(s: string, at: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '<') throw new Error(`raw '<' in text or attribute near ${at + i}`);
    if (s[i] !== '&') {
      out += s[i];
      continue;
    }
    const end = s.indexOf(';', i);
    if (end < 0) throw new Error(`unterminated entity near ${at + i}`);
    const name = s.slice(i + 1, end);
    if (name in ENTITIES) out += ENTITIES[name];
    else if (name.startsWith('#x') && name.length > 2 && [...name.slice(2)].every((c) => '0123456789abcdefABCDEF'.includes(c))) out += String.fromCodePoint(parseInt(name.slice(2), 16));
    else if (name.startsWith('#') && name.length > 1 && [...name.slice(1)].every((c) => c >= '0' && c <= '9')) out += String.fromCodePoint(Number(name.slice(1)));
    else throw new Error(`unknown entity '&${name};' near ${at + i}`);
    i = end;
  }
  return out;
}

/** Parses `xml`; throws an Error describing the first well-formedness violation. */
export function parseXml(xml: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let roots = 0;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    if (xml[i] !== '<') {
      const next = xml.indexOf('<', i);
      const end = next < 0 ? n : next;
      const text = decode(xml.slice(i, end), i);
      if (stack.length) stack[stack.length - 1].text += text;
      else if (![...text].every(isSpace)) throw new Error(`text outside the root element near ${i}`);
      i = end;
      continue;
    }
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i);
      if (end < 0 || elements.length) throw new Error(`bad processing instruction near ${i}`);
      i = end + 2;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error(`unterminated comment near ${i}`);
      i = end + 3;
      continue;
    }
    if (xml[i + 1] === '/') {
      let j = i + 2;
      while (j < n && isNameChar(xml[j])) j++;
      const name = xml.slice(i + 2, j);
      while (j < n && isSpace(xml[j])) j++;
      if (xml[j] !== '>') throw new Error(`bad end tag near ${i}`);
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`end tag </${name}> does not match <${open?.name ?? ''}> near ${i}`);
      i = j + 1;
      continue;
    }
    // Start tag.
    let j = i + 1;
    if (!isNameStart(xml[j] ?? '')) throw new Error(`bad tag name near ${i}`);
    while (j < n && isNameChar(xml[j])) j++;
    const name = xml.slice(i + 1, j);
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = j;
      while (j < n && isSpace(xml[j])) j++;
      if (xml[j] === '>' || xml.startsWith('/>', j)) break;
      if (j === before) throw new Error(`expected whitespace before an attribute near ${j}`);
      const a0 = j;
      if (!isNameStart(xml[j] ?? '')) throw new Error(`bad attribute name near ${j}`);
      while (j < n && isNameChar(xml[j])) j++;
      const attr = xml.slice(a0, j);
      if (xml[j] !== '=') throw new Error(`attribute '${attr}' without value near ${j}`);
      const q = xml[j + 1];
      if (q !== '"' && q !== "'") throw new Error(`unquoted attribute '${attr}' near ${j}`);
      const end = xml.indexOf(q, j + 2);
      if (end < 0) throw new Error(`unterminated attribute '${attr}' near ${j}`);
      if (attr in attributes) throw new Error(`duplicate attribute '${attr}' near ${j}`);
      attributes[attr] = decode(xml.slice(j + 2, end), j + 2);
      j = end + 1;
    }
    if (j >= n) throw new Error(`unterminated start tag <${name}>`);
    const el: XmlElement = { name, attributes, text: '' };
    if (stack.length === 0 && ++roots > 1) throw new Error(`second root element <${name}> near ${i}`);
    elements.push(el);
    if (xml[j] === '>') {
      stack.push(el);
      i = j + 1;
    } else i = j + 2;
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (roots !== 1) throw new Error('no root element');
  return elements;
}
