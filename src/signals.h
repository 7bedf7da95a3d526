/*
 * signals: SIGINT, SIGTERM, SIGHUP and SIGWINCH turned into bytes on a
 * pipe, so the poll() loop sees them like any other input (the self-pipe
 * trick) and nothing unsafe runs in a handler. One pipe for the program:
 * Ctrl-C has its own kind, so the prompt can cancel where others stop.
 */
#ifndef PGPULSE_SIGNALS_H
#define PGPULSE_SIGNALS_H

#include <stdbool.h>

enum signals_kind {
	SIGNALS_STOP = 1,      /* SIGTERM, SIGHUP */
	SIGNALS_RESIZE = 2,    /* SIGWINCH */
	SIGNALS_INTERRUPT = 4, /* SIGINT: stops most front-ends; the prompt cancels a command */
	SIGNALS_ANY_STOP = SIGNALS_STOP | SIGNALS_INTERRUPT,
};

/* Installs the handlers; returns false when the pipe cannot be made. */
bool signals_init(void);
/* The descriptor to poll for readability. */
int signals_fd(void);
/* Drains the pipe; returns the kinds seen since the last call (bit mask). */
int signals_take(void);
/* Restores default handlers and closes the pipe. */
void signals_shutdown(void);

#endif
