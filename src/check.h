/*
 * check and watch: the scriptable front-ends. check runs one full health
 * check (Nagios line or JSON, exit 0/1/2/3); watch prints one record per
 * probe and a ping-like summary at the end.
 */
#ifndef PGPULSE_CHECK_H
#define PGPULSE_CHECK_H

#include "app.h"

int check_run(struct sched *s, const struct app_options *o);
int watch_run(struct sched *s, const struct app_options *o);

#endif
