/**
 * Reading deploy/Dockerfile and .dockerignore the way Docker does, for the tests that check the
 * image where no Docker daemon runs: instructions (continuations joined, comments dropped) grouped
 * by stage, and the build context's file list under Docker's ignore rules.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export type Instruction = { keyword: string; flags: Record<string, string>; args: string };
export type Stage = { image: string; name: string | undefined; instructions: Instruction[] };
export type Dockerfile = { args: Record<string, string>; stages: Stage[] };

/** `--name=value` flags at the start of an instruction's arguments (COPY --from, RUN --mount, HEALTHCHECK --interval). */
function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (let match = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(args); match; match = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(args)) {
    flags[match[1]!] = match[2] ?? 'true';
    args = args.slice(match[0].length);
  }
  return { flags, args };
}

export function parseDockerfile(text: string): Dockerfile {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    // Docker drops comment lines everywhere, inside a continued instruction too.
    if (/^\s*#/.test(raw)) continue;
    const continued = /\\\s*$/.test(raw);
    pending += continued ? raw.replace(/\\\s*$/, ' ') : raw;
    if (continued) continue;
    if (pending.trim()) lines.push(pending.trim());
    pending = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const { args: from } = splitFlags(rest);
      const [image = '', , name] = from.split(/\s+/);
      stages.push({ image: image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? ''), name, instructions: [] });
    } else if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=', 2);
      args[name] = value;
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${upper} before the first FROM`);
      stage.instructions.push({ keyword: upper, ...splitFlags(rest) });
    }
  }
  return { args, stages };
}

/** An instruction's JSON (exec form) argument list, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  return JSON.parse(args) as string[];
}

/** `ENV a=1 b=2` (and the legacy `ENV a 1`), in order. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    const pairs = [...instruction.args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)];
    if (pairs.length === 0) {
      const [name = '', ...value] = instruction.args.split(/\s+/);
      env[name] = value.join(' ');
    }
    for (const [, name, value] of pairs) env[name!] = value!.startsWith('"') ? (JSON.parse(value!) as string) : value!;
  }
  return env;
}

type Pattern = { exclusion: boolean; regex: RegExp };

/** Docker's pattern syntax (moby/patternmatcher): `*` and `?` within a path segment, `**` across segments. */
function compile(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        source += '(?:.*/)?';
      } else {
        source += '.*';
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export type DockerIgnore = { excluded(file: string): boolean };

/** A path is excluded when the last pattern matching it, or one of its parent folders, is not a `!` pattern. */
export function parseDockerIgnore(text: string): DockerIgnore {
  const patterns: Pattern[] = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const exclusion = line.startsWith('!');
      const cleaned = path.posix.normalize(exclusion ? line.slice(1).trim() : line).replace(/^\/+|\/+$/g, '');
      return { exclusion, regex: compile(cleaned) };
    });
  return {
    excluded(file) {
      const parts = file.split('/');
      const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
      let excluded = false;
      for (const pattern of patterns) {
        if (prefixes.some((prefix) => pattern.regex.test(prefix))) excluded = !pattern.exclusion;
      }
      return excluded;
    },
  };
}

/** Every file under `dir` (relative to `root`, `/`-separated) that the context holds. */
export async function contextFiles(root: string, dir: string, ignore: DockerIgnore): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !ignore.excluded(file))
    .sort();
}
