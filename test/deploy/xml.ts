// A strict XML reader (saxes: well-formedness errors throw) into a small
// tree, for the ClickHouse configuration files under deploy/.
import fs from 'node:fs';
import { SaxesParser } from 'saxes';

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export function readXml(file: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('opentag', (tag) => {
    const node: XmlNode = { name: tag.name, attributes: Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, String(v)])), children: [], text: '' };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  });
  parser.on('text', (text) => (stack.at(-1)!.text += text));
  parser.on('closetag', () => {
    const node = stack.pop()!;
    node.text = node.text.trim();
  });
  parser.on('error', (error) => {
    throw new Error(`${file}: ${error.message}`);
  });
  parser.write(fs.readFileSync(file, 'utf8')).close();
  const top = root.children;
  if (top.length !== 1 || top[0]!.name !== 'clickhouse') throw new Error(`${file}: the root element must be <clickhouse>`);
  return top[0]!;
}

/** The child elements at a path of names (every match at each step). */
export function select(node: XmlNode, ...names: string[]): XmlNode[] {
  let current = [node];
  for (const name of names) current = current.flatMap((n) => n.children.filter((c) => c.name === name));
  return current;
}

/** The one element at the path; throws when there is none or more than one. */
export function only(node: XmlNode, ...names: string[]): XmlNode {
  const found = select(node, ...names);
  if (found.length !== 1) throw new Error(`expected one <${names.join('/')}>, found ${found.length}`);
  return found[0]!;
}

/** Every from_env attribute in the file: the environment variables ClickHouse substitutes. */
export function fromEnvNames(node: XmlNode, found = new Set<string>()): Set<string> {
  if (node.attributes.from_env) found.add(node.attributes.from_env);
  for (const child of node.children) fromEnvNames(child, found);
  return found;
}
