import { DlError } from "./errors.js";

/** Loads one library; called once, on its first use. */
export type LibraryLoaders<L> = { readonly [K in keyof L]: () => L[K] };

/** A package's heavy libraries, each loaded on its first use by the loaders its entry installed. */
export interface LazyLibraries<L> {
  /** Installs how each library loads (each entry of the package installs its platform's); libraries already loaded are forgotten. */
  install(loaders: LibraryLoaders<L>): void;
  /** `name`'s library, loaded on the first call. */
  get<K extends keyof L>(name: K): L[K];
}

/**
 * Libraries whose loading is costly (mathjs ≈ 0.6 s of CPU in Node), for packages whose API is synchronous: in Node
 * the package installs loaders that `require` each on first use, in the browser loaders that return what the bundle
 * imported (a page cannot load a module synchronously). The installer is the package's Node or browser entry, or the
 * one module that uses the libraries, through a package import with `node` and `default` conditions. `owner` names the
 * package in the error raised when nothing was installed (an internal module imported without its entry).
 */
export function lazyLibraries<L extends object>(owner: string): LazyLibraries<L> {
  let loaders: LibraryLoaders<L> | undefined;
  let loaded: Partial<L> = {};
  return {
    install(replacement) {
      loaders = replacement;
      loaded = {};
    },
    get(name) {
      const hit = loaded[name];
      if (hit !== undefined) return hit;
      if (loaders === undefined) {
        throw new DlError("NOT_SUPPORTED", `${owner} could not load ${String(name)}: import ${owner} (its entry installs the library loaders), not an internal module.`);
      }
      const lib = loaders[name]();
      loaded[name] = lib;
      return lib;
    },
  };
}
