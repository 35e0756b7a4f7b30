/** Why a test with one of these steps runs alone: it changes what every other test shares. */

export const CHANGES_NODE_LABELS = 'it changes node labels, which every test sees';

export const CHANGES_NODE_HEALTH = 'it fails or restores nodes, which every test runs on';

export const STOPS_CONTROLLER =
  "it stops and restarts the EgressService controller, which every test's EgressServices depend on";
