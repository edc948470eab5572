// Node-only part of the model module (fs, paths); never reached from the browser entry.
export {};
