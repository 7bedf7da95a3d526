/*
 * libFuzzer harness for the classifier: any bytes as a server or libpq
 * message (first byte picks the stage, the next five are the SQLSTATE)
 * must classify to a known class with advice, and the primary message must
 * stay within its buffer and never end inside a UTF-8 character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classify_result r;
	char sqlstate[6], *msg;

	if (size < 6)
		return 0;
	memcpy(sqlstate, data + 1, 5);
	sqlstate[5] = '\0';
	msg = malloc(size - 6 + 1);
	memcpy(msg, data + 6, size - 6);
	msg[size - 6] = '\0';
	classify_error(data[0] & 1 ? sqlstate : NULL, msg,
		       data[0] & 2 ? STAGE_QUERY : STAGE_CONNECT, (enum classify_endpoint)0, &r);
	if (r.cls < 0 || r.cls >= CLASS_COUNT || r.advice == NULL ||
	    strlen(r.message) >= sizeof(r.message))
		abort();
	/* a valid message stays valid once cut */
	if (text_utf8_valid(msg, strlen(msg)) && !text_utf8_valid(r.message, strlen(r.message)))
		abort();
	free(msg);
	return 0;
}
