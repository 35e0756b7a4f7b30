import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { name } from '../fields.js';

export const patch = defineStep({
  kind: 'patch',
  schema: z.strictObject({ manifest: name, patch: z.record(z.string(), z.unknown()) }),
  doc: [{ syntax: '`patch: {manifest, patch}`', meaning: 'JSON merge patch of an applied manifest' }],
  manifests: (body) => [{ name: body.manifest, at: ['manifest'] }],
});
