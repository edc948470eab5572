// Owned by the report module; re-exported by the entries.
export {};
