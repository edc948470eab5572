// Owned by the data module; re-exported by the entries.
export {};
