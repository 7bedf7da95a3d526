/* dashboard: not built yet. */
#include "dashboard.h"

#include <stdio.h>

int dashboard_run(struct sched *s, const struct app_options *o)
{
	(void)s;
	(void)o;
	fprintf(stderr, "pgpulse: dashboard is not available yet\n");
	return APP_EXIT_USAGE;
}
