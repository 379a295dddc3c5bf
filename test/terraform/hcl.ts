/**
 * Helpers for the Terraform tests: parse .tf files with HashiCorp's HCL parser
 * (@cdktf/hcl2json, WebAssembly) and walk the JSON it returns.
 *
 * hcl2json's JSON: literals stay literals; any expression becomes a string
 * "${...}"; blocks become arrays of objects; labelled blocks are nested by
 * label (resource.<type>.<name>[0]).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const TERRAFORM_DIR = resolve(__dirname, '../../terraform');
export const EXAMPLE_DIR = join(TERRAFORM_DIR, 'examples/complete');

export interface TfFile {
  readonly path: string;
  readonly json: JsonObject;
}

export interface TfConfig {
  readonly dir: string;
  readonly files: readonly TfFile[];
}

export function tfPaths(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()
    .map((f) => join(dir, f));
}

export async function parseFile(path: string): Promise<TfFile> {
  const json = (await parse(path, readFileSync(path, 'utf8'))) as JsonObject;
  return { path, json };
}

export async function loadConfig(dir: string): Promise<TfConfig> {
  const files = await Promise.all(tfPaths(dir).map(parseFile));
  return { dir, files };
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first object of a block list (hcl2json wraps every block in an array). */
export function first(v: Json | undefined): JsonObject {
  if (Array.isArray(v) && isObject(v[0])) return v[0];
  if (isObject(v)) return v;
  throw new Error(`expected a block, got ${JSON.stringify(v)}`);
}

export interface Block {
  readonly kind: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  readonly body: JsonObject;
  readonly file: string;
}

export function blocks(config: TfConfig, kind: 'resource' | 'data'): Block[] {
  const out: Block[] = [];
  for (const f of config.files) {
    const byType = f.json[kind];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, list] of Object.entries(byName)) {
        out.push({ kind, type, name, body: first(list), file: f.path });
      }
    }
  }
  return out;
}

export function resource(config: TfConfig, type: string, name: string): JsonObject {
  const b = blocks(config, 'resource').find((r) => r.type === type && r.name === name);
  if (!b) throw new Error(`no resource ${type}.${name}`);
  return b.body;
}

/** variable name -> its block. */
export function variables(config: TfConfig): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const f of config.files) {
    const vars = f.json['variable'];
    if (!isObject(vars)) continue;
    for (const [name, list] of Object.entries(vars)) out.set(name, first(list));
  }
  return out;
}

/** local name -> its value (merged over every `locals` block). */
export function locals(config: TfConfig): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const f of config.files) {
    const list = f.json['locals'];
    if (!Array.isArray(list)) continue;
    for (const block of list) {
      if (!isObject(block)) continue;
      for (const [k, v] of Object.entries(block)) out.set(k, v);
    }
  }
  return out;
}

export function moduleNames(config: TfConfig): Set<string> {
  const out = new Set<string>();
  for (const f of config.files) {
    const mods = f.json['module'];
    if (isObject(mods)) for (const name of Object.keys(mods)) out.add(name);
  }
  return out;
}

/** Every string in a JSON value (deep). */
export function strings(v: Json | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (isObject(v)) return Object.values(v).flatMap(strings);
  return [];
}

/** Only the strings that hold an expression (`${...}`): descriptions are skipped. */
export function expressions(v: Json | undefined): string[] {
  return strings(v).filter((s) => s.includes('${'));
}

/** The text of `name(...)` calls in an expression, with balanced parentheses. */
export function callArguments(expr: string, name: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const at = expr.indexOf(`${name}(`, from);
    if (at < 0) return out;
    let depth = 0;
    let inString = false;
    const start = at + name.length + 1;
    for (let i = start - 1; i < expr.length; i++) {
      const c = expr[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        out.push(expr.slice(start, i));
        from = i + 1;
        break;
      }
    }
    if (from <= at) throw new Error(`unbalanced ${name}( in ${expr}`);
  }
}

/**
 * Evaluates an HCL object/tuple literal whose leaves are literals or plain
 * `var.x` / `local.x` references, resolving each reference with `resolveRef`.
 * Parsing is done by HCL itself (as `v = <literal>`).
 */
export async function evaluateLiteral(
  literal: string,
  resolveRef: (ref: string) => Json,
): Promise<Json> {
  const parsed = (await parse('literal.tf', `v = ${literal}\n`)) as JsonObject;
  const substitute = (v: Json): Json => {
    if (typeof v === 'string') {
      const m = /^\$\{((?:var|local)\.[A-Za-z0-9_]+)\}$/.exec(v);
      if (m?.[1]) return resolveRef(m[1]);
      if (v.includes('${')) throw new Error(`cannot evaluate ${v}`);
      return v;
    }
    if (Array.isArray(v)) return v.map(substitute);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x)]));
    return v;
  };
  const value = parsed['v'];
  if (value === undefined) throw new Error(`cannot parse ${literal}`);
  return substitute(value);
}

/** `${local.x}` -> "x"; anything else -> undefined. */
export function plainLocalRef(v: Json | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  return /^\$\{local\.([A-Za-z0-9_]+)\}$/.exec(v)?.[1];
}
