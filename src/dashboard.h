/*
 * dashboard: the live ncurses view (pgpulse [TARGET...]), modelled on mtr
 * and htop. Reads targets and events; the scheduler drives the probes.
 */
#ifndef PGPULSE_DASHBOARD_H
#define PGPULSE_DASHBOARD_H

#include "app.h"

/*
 * Runs until q or a stop signal; returns an exit code. Falls back to
 * watch when the terminal cannot be set up.
 */
int dashboard_run(struct sched *s, const struct app_options *o);

#endif
