// Node-only part of the report module (fs, paths); never reached from the browser entry.
export {};
