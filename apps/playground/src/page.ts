/** A playground page: mounts into `root`, returns a cleanup function. Pages call package functions only. */
export interface PlaygroundPage {
  id: string;
  title: string;
  mount(root: HTMLElement): () => void;
}
