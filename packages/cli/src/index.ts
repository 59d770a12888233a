export { main, SIGNAL_EXIT_CODES, type MainOptions } from './main.js';
export { loadMachine, presetNames } from './machine-file.js';
export { intFlag, numFlag, choiceFlag } from './flags.js';
