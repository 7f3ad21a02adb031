/** The slice of a fixed-height list to render for a scroll position. */
export interface RowWindow {
  start: number;
  end: number;
}

/** Rows in view plus `overscan` on each side; the rest of the list is empty space. */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): RowWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const inView = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  return {
    start: Math.max(0, Math.min(count, first - overscan)),
    end: Math.max(0, Math.min(count, first + inView + overscan)),
  };
}
