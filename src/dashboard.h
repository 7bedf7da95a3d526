/*
 * dashboard: the live ncurses view (pgpulse [TARGET...]), modelled on mtr
 * and htop, a front-end (app.h). Reads targets and events; the scheduler
 * drives the probes. Keys, views and loop in dashboard.c, the panels in
 * dashboard_panels.c, colours, text and the pen in dashboard_pen.c.
 */
#ifndef PGPULSE_DASHBOARD_H
#define PGPULSE_DASHBOARD_H

#include "app.h"

/*
 * A front-end (app.h). Runs until q or a stop signal (APP_NEXT_EXIT, exit
 * code 0). ':' returns APP_NEXT_PROMPT with the dashboard kept in
 * a->dashboard (still hearing results, its terminal and keys at rest);
 * called again, it resumes with the target the prompt left in a->current,
 * and closes at once when the prompt set a->quit. Returns APP_NEXT_WATCH
 * when the terminal cannot be set up.
 */
enum app_next dashboard_run(struct app *a);

#endif
