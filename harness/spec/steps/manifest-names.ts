import { z } from 'zod';
import { name } from '../fields.js';

/** The manifests `apply` and `delete` act on, by their names in the spec's `manifests`. */
export const manifestNames = z.array(name).min(1);
