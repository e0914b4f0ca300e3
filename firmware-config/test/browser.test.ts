import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as browser from '../src/browser.js';

/** Every module browser.ts reaches inside this package, by following relative imports. */
async function reachable(entry: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    const text = await readFile(new URL(`../src/${file}`, import.meta.url), 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/from '\.\/([\w-]+)\.js'/g)) queue.push(`${m[1]}.ts`);
  }
  return seen;
}

describe('browser entry', () => {
  it('reaches no node: module (the console bundles it with Vite)', async () => {
    const files = await reachable('browser.ts');
    assert.deepEqual([...files.keys()].sort(), ['browser.ts', 'diff.ts', 'merge.ts', 'schema.ts', 'validate.ts']);
    for (const [file, text] of files) assert.doesNotMatch(text, /from 'node:/, file);
  });

  it('exports the schema, validator and diff', () => {
    assert.equal(typeof browser.configJsonSchema, 'function');
    assert.equal(browser.validateConfig({}).ok, false);
    assert.deepEqual(browser.formatDiff(browser.diffConfigs({ a: 1 }, { a: 2 })), ['a: 1 -> 2']);
  });
});
