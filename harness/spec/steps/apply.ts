import { defineStep } from '../definitions.js';
import { manifestNames } from './manifest-names.js';

export const apply = defineStep({
  kind: 'apply',
  schema: manifestNames,
  doc: [
    {
      syntax: '`apply: [names]`',
      meaning:
        'create-or-update manifests, in order (everything applied is deleted at the end in reverse order, whatever happens)',
    },
  ],
  manifests: (body) => body.map((name, i) => ({ name, at: [i] })),
});
