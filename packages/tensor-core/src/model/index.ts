// Owned by the model module; re-exported by the entries.
export {};
