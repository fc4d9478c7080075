/** The UTC week a time falls in, named by its Monday (`2026-03-02`): the report's week buckets. */
export const weekOf = (iso: string): string => {
  const day = new Date(`${iso.slice(0, 10)}T00:00:00.000Z`);
  if (Number.isNaN(day.getTime())) throw new RangeError(`not an ISO date: ${iso}`);
  // getUTCDay: Sunday 0 … Saturday 6; Monday is 0 days back, Sunday 6.
  const back = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - back * 86_400_000).toISOString().slice(0, 10);
};
