import { lexicographicSortSchema, printSchema } from 'graphql';

import { buildSchema } from './index.ts';

export function printSchemaFile(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
