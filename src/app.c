/*
 * app: what the front-ends share besides the scheduler: adding a target
 * the way the command line does (main, and the prompt's 'target add'), and the
 * exit codes they have in common.
 */
#include "app.h"

#include <string.h>

bool app_add_target(struct sched *s, const struct app_options *o, const char *input, char *err,
		    size_t errlen)
{
	struct dsn_target t;

	memset(&t, 0, sizeof(t));
	if (!dsn_parse(input, &o->overrides, &t, err, errlen))
		return false;
	sched_add_target(s, &t);
	return true;
}

int app_exit_like_ping(uint64_t ok, uint64_t total)
{
	if (ok == total)
		return APP_EXIT_OK;
	return ok ? APP_EXIT_WARNING : APP_EXIT_CRITICAL;
}
