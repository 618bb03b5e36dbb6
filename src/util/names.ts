/** Strings numbered 0, 1, ... in order of first sight (a million documents share a handful of groups). */
export class Names {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) this.ids.set(name, (i = this.names.push(name) - 1));
    return i;
  }

  name(id: number): string {
    return this.names[id]!;
  }

  get size(): number {
    return this.names.length;
  }
}
