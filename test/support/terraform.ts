/**
 * deploy/terraform read without Terraform's providers: every folder's .tf files parsed with
 * @cdktf/hcl2json, and the module tree an environment instantiates, with `var.` references followed
 * through the module calls to the literal an environment gives (or a variable's default). What
 * stays an expression (`${aws_kms_key.this.arn}`) is kept as its text.
 */
import hcl2json from '@cdktf/hcl2json';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

// hcl2json's JSON: blocks are arrays of bodies, attributes are literals or "${expression}" strings.
export type Body = Record<string, unknown>;
export type Folder = {
  dir: string;
  resource: Record<string, Record<string, Body[]>>;
  data: Record<string, Record<string, Body[]>>;
  module: Record<string, Body[]>;
  variable: Record<string, Body[]>;
  output: Record<string, Body[]>;
  locals: Body[];
  terraform: Body[];
};

const folders = new Map<string, Promise<Folder>>();

async function parseFolder(dir: string): Promise<Folder> {
  const folder: Folder = { dir, resource: {}, data: {}, module: {}, variable: {}, output: {}, locals: [], terraform: [] };
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort()) {
    const parsed = (await hcl2json.parse(file, await readFile(path.join(dir, file), 'utf8'))) as Partial<Folder>;
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(parsed[kind] ?? {})) Object.assign((folder[kind][type] ??= {}), byName);
    }
    Object.assign(folder.module, parsed.module);
    Object.assign(folder.variable, parsed.variable);
    Object.assign(folder.output, parsed.output);
    folder.locals.push(...(parsed.locals ?? []));
    folder.terraform.push(...(parsed.terraform ?? []));
  }
  return folder;
}

export function readFolder(dir: string): Promise<Folder> {
  const resolved = path.resolve(dir);
  let folder = folders.get(resolved);
  if (!folder) folders.set(resolved, (folder = parseFolder(resolved)));
  return folder;
}

/** Every folder below `root` holding .tf files (symbolic links to shared files included). */
export async function tfFolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return [...new Set(entries.filter((entry) => entry.name.endsWith('.tf')).map((entry) => entry.parentPath))].sort();
}

/** One module as an environment instantiates it: its folder, the arguments of its call, its caller. */
export type Instance = { path: string; folder: Folder; args: Body; parent: Instance | undefined };

export async function instantiate(dir: string, args: Body = {}, parent?: Instance, label = path.basename(dir)): Promise<Instance[]> {
  const folder = await readFolder(dir);
  const instance: Instance = { path: parent ? `${parent.path}.${label}` : label, folder, args, parent };
  const children: Instance[] = [];
  for (const [name, [call]] of Object.entries(folder.module)) {
    const { source, ...callArgs } = call!;
    children.push(...(await instantiate(path.resolve(dir, String(source)), callArgs, instance, name)));
  }
  return [instance, ...children];
}

export const UNRESOLVED = Symbol('unresolved');

/**
 * A value as the instance sees it: `${var.x}` (and `${var.x.field}`) followed to the caller's
 * argument, recursively, or to the variable's default; anything else as written.
 */
export function resolve(instance: Instance, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^\$\{var\.(\w+)((?:\.\w+)*)\}$/.exec(value);
  if (!match) return value;
  const [, name, fields] = match;
  let resolved: unknown;
  if (name! in instance.args) resolved = resolve(instance.parent!, instance.args[name!]);
  else {
    const declared = instance.folder.variable[name!]?.[0];
    resolved = declared && 'default' in declared ? declared.default : UNRESOLVED;
  }
  // An object's fields are taken as written (the environments give literals).
  for (const field of fields!.split('.').filter(Boolean)) {
    resolved = resolved && typeof resolved === 'object' && field in resolved ? (resolved as Body)[field] : UNRESOLVED;
  }
  return resolved;
}

export type Found = { instance: Instance; type: string; name: string; body: Body };

/** Every resource (or data source) of a type across the instances. */
export function findAll(instances: Instance[], type: string, kind: 'resource' | 'data' = 'resource'): Found[] {
  return instances.flatMap((instance) => Object.entries(instance.folder[kind][type] ?? {}).map(([name, [body]]) => ({ instance, type, name, body: body! })));
}

/** The first body of a nested block (`network_configuration { ... }` is an array of one). */
export function block(body: Body, name: string): Body {
  const value = body[name];
  return (Array.isArray(value) ? value[0] : value) as Body;
}

/** A folder's `locals` merged. */
export function localsOf(folder: Folder): Body {
  return Object.assign({}, ...folder.locals) as Body;
}
