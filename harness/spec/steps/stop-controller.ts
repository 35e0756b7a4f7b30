import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { STOPS_CONTROLLER } from './shared-state.js';

/**
 * Stops the EgressService controller, so that the steps up to `startController` change the
 * cluster while it is down and its repair on start (upstream's `repair()`) has to find them.
 */
export const stopController = defineStep({
  kind: 'stopController',
  schema: z.strictObject({}),
  doc: [
    {
      syntax: '`stopController: {}`',
      meaning:
        'stop the EgressService controller: the steps up to `startController` change the cluster while it is down (started again at the end)',
    },
  ],
  runsAlone: STOPS_CONTROLLER,
});
