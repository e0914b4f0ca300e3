/**
 * Ahead-of-time validators for the shipped agent (issue 5 footprint: RSS <= 60 MB). At run time
 * Ajv compiles every schema with `new Function` (its compiler, code generator and the compiled
 * code stay resident); instead the bundle step runs Ajv's standalone code generation once, from
 * the same TypeBox schemas with the same options protocol's validate.ts uses, and the bundle
 * replaces the `ajv` package by a lookup of those functions (see bundle.ts). The schemas stay the
 * single source: nothing here is written by hand, and test/aot/validators.test.ts checks the
 * generated functions against runtime Ajv on a table of documents.
 * Build-time only: never imported by the agent's run-time code.
 */
import { createHash } from 'node:crypto';
import { AgentConfig } from '@gwanje/firmware-config';
import {
  AgentEvent,
  AgentStatus,
  CameraInventory,
  Command,
  CommandResult,
  FieldReading,
  Reading,
  SensorReport,
  SignedConfig,
  Telemetry,
} from '@gwanje/protocol';
import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const standaloneCode = standaloneModule as unknown as (ajv: Ajv, refs: Record<string, string>) => string;

/**
 * Every schema the agent validates at run time: protocol's decode/encode topics (decode.ts
 * SCHEMAS), `validate(Reading)` in agent.ts, the config (config.ts, firmware-config's
 * validateConfig) and the signed envelope (firmware-config sign.ts). A schema missing here makes
 * the bundled agent throw `aot: no validator` on first use, which the bundle test catches.
 */
export const AOT_SCHEMAS: Record<string, TSchema> = {
  AgentConfig,
  AgentEvent,
  AgentStatus,
  CameraInventory,
  Command,
  CommandResult,
  FieldReading,
  Reading,
  SensorReport,
  SignedConfig,
  Telemetry,
};

/** The lookup key of a schema: its JSON (TypeBox's symbol keys are not part of it), hashed. */
export function schemaKey(schema: unknown): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('base64url');
}

/**
 * ESM source of a module standing in for the `ajv` package in the bundle: `new Ajv().compile(s)`
 * returns the precompiled function for `s`, or throws naming the schema. Options as in protocol's
 * validate.ts, so error objects (and thus `path: message` lines) are the same.
 */
export function aotAjvModuleSource(): string {
  const ajv = addFormats(
    new Ajv({
      allErrors: true,
      strict: false,
      coerceTypes: false,
      useDefaults: false,
      code: { source: true, esm: true, lines: false },
    }),
  );
  const refs: Record<string, string> = {};
  const keys: string[] = [];
  for (const [name, schema] of Object.entries(AOT_SCHEMAS)) {
    ajv.addSchema(schema, name);
    refs[name] = name;
    keys.push(`[${JSON.stringify(schemaKey(schema))}, ${name}]`);
  }
  const code = standaloneCode(ajv, refs).replace(/^"use strict";/, '');
  return `${code}
import { createHash as __aotHash } from 'node:crypto';
const __aot = new Map([${keys.join(', ')}]);
export class Ajv {
  compile(schema) {
    const key = __aotHash('sha256').update(JSON.stringify(schema)).digest('base64url');
    const fn = __aot.get(key);
    if (!fn) throw new Error('aot: no validator generated for schema ' + (schema.title ?? schema.$id ?? key) + ' (add it to edge-agent/src/aot/validators.ts)');
    return fn;
  }
  addFormat() { return this; }
  addKeyword() { return this; }
}
export default Ajv;
`;
}
