/**
 * render: site template <- agent overlay <- secrets, with `${siteId}`/`${agentId}` filled in,
 * identity set, version stamped (content hash) and the result validated. Templates are parsed
 * with protocol's safe JSON parser, so `__proto__` keys in a template are an error, not a merge.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ID_REGEX, parseJson } from '@gwanje/protocol';
import { contentVersion } from './canonical.js';
import { deepMerge, substitute } from './merge.js';
import type { AgentConfig } from './schema.js';
import { validateConfig } from './validate.js';

export interface RenderInput {
  site: string;
  agent: string;
  templatesDir: string;
  /** Merged last, never stored in templates: central credentials and the like. */
  secrets?: Record<string, unknown>;
}

export type RenderResult = { ok: true; document: AgentConfig } | { ok: false; errors: string[] };

async function readJson(path: string, label: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${label}: no file ${path}` : `${label}: cannot read ${path} (${code})`);
  }
  let value: unknown;
  try {
    value = parseJson(text, 4 * 1024 * 1024);
  } catch (err) {
    throw new Error(`${label}: ${path}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${label}: must be an object`);
  return value as Record<string, unknown>;
}

export async function render(input: RenderInput): Promise<RenderResult> {
  const { site, agent, templatesDir } = input;
  const errors: string[] = [];
  if (!ID_REGEX.test(site)) errors.push(`site: "${site}" is not a valid siteId`);
  if (!ID_REGEX.test(agent)) errors.push(`agent: "${agent}" is not a valid agentId`);
  if (errors.length > 0) return { ok: false, errors };
  let template: Record<string, unknown>;
  let overlay: Record<string, unknown>;
  try {
    template = await readJson(join(templatesDir, 'sites', `${site}.json`), 'template');
    overlay = await readJson(join(templatesDir, 'agents', `${agent}.json`), 'overlay');
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
  if (template.siteId !== undefined && template.siteId !== site) {
    errors.push(`template.siteId: "${String(template.siteId)}" in the template of site ${site}`);
  }
  if (overlay.siteId !== undefined && overlay.siteId !== site) {
    errors.push(`overlay.siteId: agent ${agent} belongs to site "${String(overlay.siteId)}", not ${site}`);
  }
  if (overlay.agentId !== undefined && overlay.agentId !== agent) {
    errors.push(`overlay.agentId: "${String(overlay.agentId)}" in the overlay of agent ${agent}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  const vars = { siteId: site, agentId: agent };
  let doc = deepMerge(substitute(template, vars), substitute(overlay, vars));
  if (input.secrets) doc = deepMerge(doc, input.secrets);
  const out = doc as Record<string, unknown>;
  out.siteId = site;
  out.agentId = agent;
  // Order identity first: rendered files are read by people, and version comes last.
  const { siteId, agentId, version: _old, ...rest } = out;
  const ordered: Record<string, unknown> = { siteId, agentId, ...rest };
  ordered.version = contentVersion(ordered);
  const checked = validateConfig(ordered);
  if (!checked.ok) return { ok: false, errors: checked.errors };
  return { ok: true, document: ordered as AgentConfig };
}
