#!/usr/bin/env node
// gwanje-config: runs src/cli.ts through tsx (no build step for Node packages, BRIEF).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli.ts');
await run();
