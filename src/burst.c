/* burst: not built yet. */
#include "burst.h"

#include <stdio.h>

int burst_run(struct sched *s, const struct app_options *o)
{
	(void)s;
	(void)o;
	fprintf(stderr, "pgpulse: burst is not available yet\n");
	return APP_EXIT_USAGE;
}
