/** Joins class names, skipping the falsy ones (what `clsx` does for the cases the console has). */
export function cn(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(' ');
}
