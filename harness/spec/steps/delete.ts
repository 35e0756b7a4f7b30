import { defineStep } from '../definitions.js';
import { manifestNames } from './manifest-names.js';

export const deleteStep = defineStep({
  kind: 'delete',
  schema: manifestNames,
  doc: [{ syntax: '`delete: [names]`', meaning: 'delete manifests, in order' }],
  manifests: (body) => body.map((name, i) => ({ name, at: [i] })),
});
