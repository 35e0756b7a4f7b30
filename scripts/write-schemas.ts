/** Regenerates schemas/conformance-report.schema.json from the zod definition (npm run schemas). */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { conformanceReportSchema } from '../harness/report/conformance-schema.js';

const schema = z.toJSONSchema(conformanceReportSchema, { target: 'draft-2020-12' });
writeFileSync('schemas/conformance-report.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
