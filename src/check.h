/*
 * check and watch: the scriptable front-ends. check runs one full health
 * check (Nagios line or JSON, exit 0/1/2/3); watch prints one record per
 * probe and a ping-like summary at the end.
 */
#ifndef PGPULSE_CHECK_H
#define PGPULSE_CHECK_H

#include "app.h"

/* Front-ends (app.h): both set a->exit_code and return APP_NEXT_EXIT. */
enum app_next check_run(struct app *a);
enum app_next watch_run(struct app *a);

#endif
