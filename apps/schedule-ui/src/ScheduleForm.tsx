/**
 * Create (`/ui/new`) and edit (`/ui/schedules/:id/edit`) a schedule. A placeholder until
 * the form lands: it names what it will be.
 */
export function ScheduleForm({ id }: { id?: string }) {
  return (
    <section aria-labelledby="form-title">
      <h2 id="form-title">
        {id === undefined ? 'New schedule' : 'Edit schedule'}
      </h2>
    </section>
  );
}
