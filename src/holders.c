/*
 * holders: culprit analysis over an inspect_info. Pure logic.
 */
#include "holders.h"
#include "util.h"

#include <stdio.h>

bool holders_culprit(const struct inspect_info *info, char *out, size_t outlen)
{
	out[0] = '\0';
	(void)info;
	(void)outlen;
	return false;
}
