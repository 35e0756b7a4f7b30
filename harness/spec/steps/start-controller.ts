import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { STOPS_CONTROLLER } from './shared-state.js';

/**
 * Starts the controller an earlier `stopController` stopped, with no memory of what it did
 * before: it rebuilds its view from the cluster's objects and repairs the data plane it finds.
 */
export const startController = defineStep({
  kind: 'startController',
  schema: z.strictObject({}),
  doc: [
    {
      syntax: '`startController: {}`',
      meaning:
        'start the EgressService controller again, with no memory of before: it rebuilds its view from the objects and repairs what it finds; waits until it is Ready',
    },
  ],
  runsAlone: STOPS_CONTROLLER,
});
