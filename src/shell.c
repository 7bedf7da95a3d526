/* shell: not built yet. */
#include "shell.h"

#include <stdio.h>

int shell_run(struct sched *s, const struct app_options *o)
{
	(void)s;
	(void)o;
	fprintf(stderr, "pgpulse: shell is not available yet\n");
	return APP_EXIT_USAGE;
}
