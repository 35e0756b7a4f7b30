/**
 * Regenerates the JSON schemas (npm run schemas): schemas/conformance-report.schema.json from the
 * report's zod definition, and schemas/options-file.schema.json from the options file's, whose
 * provider sections are the provider table's settings schemas (harness/env/providers.ts).
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { PROVIDERS } from '../harness/env/providers.js';
import { conformanceReportSchema } from '../harness/report/conformance-schema.js';
import { optionsFileDocumentSchema } from '../harness/run/options.js';

const write = (file: string, schema: z.ZodType, io: 'input' | 'output' = 'output') =>
  writeFileSync(
    file,
    `${JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io }), null, 2)}\n`,
  );

write('schemas/conformance-report.schema.json', conformanceReportSchema);
// What a user writes: defaults are optional (the input side of each schema).
write('schemas/options-file.schema.json', optionsFileDocumentSchema(PROVIDERS), 'input');
