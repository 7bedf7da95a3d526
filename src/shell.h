/*
 * shell: the readline prompt for ad-hoc checks (pgpulse shell, and ':' in
 * the dashboard). One table of commands: name, arguments, help, handler.
 */
#ifndef PGPULSE_SHELL_H
#define PGPULSE_SHELL_H

#include "app.h"

/* Runs the prompt (or o->shell_commands / non-terminal stdin); returns the worst status. */
int shell_run(struct sched *s, const struct app_options *o);

#endif
