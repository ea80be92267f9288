/*
 * interrupt.h: what recon undoes when SIGTERM or SIGINT ends it.
 *
 * interrupt_install sets the handlers (a SIGINT that the parent ignores,
 * as for a background job, stays ignored).  On the signal the handler
 * calls every registered canceller (a PostgreSQL source's PQcancel, which
 * is async-signal-safe with its PGcancel made beforehand), unlinks every
 * registered temporary file, restores the default action and raises the
 * signal again: recon ends killed by it (status 128 + N in a shell, 143
 * for SIGTERM, 130 for SIGINT), its queries cancelled on the server and no
 * temporary file left; nothing partial was ever under a report's name.
 *
 * Registrations live in fixed slots (the handler allocates nothing); a
 * registration that finds no free slot is simply not undone.  The module
 * owns copies of the paths; the cancellers' arguments stay the caller's
 * and must outlive their registration.
 */
#ifndef RECON_INTERRUPT_H
#define RECON_INTERRUPT_H

void interrupt_install(void);

/* fn(arg) runs in the handler: async-signal-safe calls only.  Returns a
 * slot for interrupt_remove_cancel, -1 when none is free. */
int interrupt_add_cancel(void (*fn)(void *), void *arg);
void interrupt_remove_cancel(int slot);

/* A temporary file to unlink if the run is interrupted, until forgotten
 * (after it was renamed or removed). */
void interrupt_add_file(const char *path);
void interrupt_forget_file(const char *path);

#endif
