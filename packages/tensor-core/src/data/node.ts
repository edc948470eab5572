// Node-only part of the data module (fs, paths); never reached from the browser entry.
export {};
