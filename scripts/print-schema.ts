// Writes schema.graphql from the Pothos schema; a test fails when the committed copy is stale.
import { writeFileSync } from 'node:fs';

import { printSchemaFile } from '../src/schema/print.ts';

writeFileSync(new URL('../schema.graphql', import.meta.url), printSchemaFile());
